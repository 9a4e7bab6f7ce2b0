package gitlabtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	gl "gitlab.com/gitlab-org/api/client-go/v2"
)

// TestResponsesMatchTheClientTypes checks every answer the fake gives against GitLab's own
// description of it: the structs of gitlab.com/gitlab-org/api/client-go/v2, which follow the
// documented REST v4 entities. Every key of every object, nested ones included, must be a
// JSON field of the matching struct (knownFields: client-go's custom UnmarshalJSON methods
// would defeat DisallowUnknownFields), each body must decode into the struct (so a value of
// the wrong JSON type fails), and the fields the GitLab tracker reads must all be present,
// so the fake cannot pass by leaving them out.
func TestResponsesMatchTheClientTypes(t *testing.T) {
	srv := NewServer(t, Options{})
	srv.AddIssue(Issue{Title: "blocker", Labels: []string{"workflow::todo"}, Assignees: []string{Username}})
	srv.AddIssue(Issue{Title: "blocked", Description: "body", BlockedBy: []int64{1}})
	srv.AddNote(Note{IID: 2, Body: "system note", System: true})

	tests := []struct {
		method, path, body string
		into               any
		// needs are the top-level keys the tracker reads (of each element, for a list).
		needs []string
	}{
		{"GET", "/api/v4/user", "", &gl.User{}, []string{"username"}},
		{"GET", "/api/v4/projects/group%2Fapp/issues?state=opened&per_page=100", "", &[]*gl.Issue{},
			[]string{"iid", "title", "description", "state", "labels", "assignees", "web_url", "created_at", "updated_at"}},
		{"GET", "/api/v4/projects/group%2Fapp/issues/2", "", &gl.Issue{}, []string{"iid", "title", "state", "labels", "updated_at"}},
		{"PUT", "/api/v4/projects/group%2Fapp/issues/2", `{"add_labels":"workflow::todo"}`, &gl.Issue{}, []string{"iid", "labels"}},
		{"GET", "/api/v4/projects/group%2Fapp/issues/2/links", "", &[]*gl.IssueRelation{},
			[]string{"iid", "title", "state", "labels", "web_url", "references", "link_type", "issue_link_id"}},
		{"GET", "/api/v4/projects/group%2Fapp/issues/1/links", "", &[]*gl.IssueRelation{}, []string{"iid", "link_type"}},
		{"POST", "/api/v4/projects/group%2Fapp/issues/2/notes", `{"body":"hello"}`, &gl.Note{}, []string{"id", "body", "system", "author", "created_at"}},
		{"GET", "/api/v4/projects/group%2Fapp/issues/2/notes", "", &[]*gl.Note{}, []string{"id", "body", "system", "author", "created_at", "updated_at"}},
		{"POST", "/api/v4/projects/group%2Fapp/uploads", uploadBody, &gl.ProjectMarkdownUploadedFile{}, []string{"full_path", "markdown"}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("PRIVATE-TOKEN", Token)
			req.Header.Set("Content-Type", "application/json")
			if tt.body == uploadBody {
				req.Header.Set("Content-Type", "multipart/form-data; boundary="+uploadBoundary)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			data, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode/100 != 2 {
				t.Fatalf("HTTP %d: %s (%v)", resp.StatusCode, data, err)
			}
			if err := json.Unmarshal(data, tt.into); err != nil {
				t.Fatalf("the fake's answer does not fit client-go's %T: %v\n%s", tt.into, err, data)
			}
			var generic any
			if err := json.Unmarshal(data, &generic); err != nil {
				t.Fatal(err)
			}
			for _, problem := range knownFields("$", generic, reflect.TypeOf(tt.into)) {
				t.Errorf("%s\n%s", problem, data)
			}
			var objects []map[string]json.RawMessage
			if data[0] == '[' {
				if err := json.Unmarshal(data, &objects); err != nil || len(objects) == 0 {
					t.Fatalf("want a non-empty list: %v\n%s", err, data)
				}
			} else {
				var one map[string]json.RawMessage
				if err := json.Unmarshal(data, &one); err != nil {
					t.Fatal(err)
				}
				objects = append(objects, one)
			}
			for i, o := range objects {
				for _, key := range tt.needs {
					if _, ok := o[key]; !ok {
						t.Errorf("element %d lacks %q, which the tracker reads:\n%s", i, key, data)
					}
				}
			}
		})
	}
}

// uploadBody is a multipart upload of one small file.
const (
	uploadBoundary = "symphony-boundary"
	uploadBody     = "--" + uploadBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n" +
		"Content-Type: text/plain\r\n\r\nhello\r\n--" + uploadBoundary + "--\r\n"
)

// knownFields lists the keys of v that typ (a client-go type) has no JSON field for, walking
// into nested objects and lists.
func knownFields(path string, v any, typ reflect.Type) []string {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	var problems []string
	switch val := v.(type) {
	case []any:
		if typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array {
			for i, e := range val {
				problems = append(problems, knownFields(fmt.Sprintf("%s[%d]", path, i), e, typ.Elem())...)
			}
		}
	case map[string]any:
		switch typ.Kind() {
		case reflect.Map:
			for k, e := range val {
				problems = append(problems, knownFields(path+"."+k, e, typ.Elem())...)
			}
		case reflect.Struct:
			fields := jsonFields(typ)
			for k, e := range val {
				f, ok := fields[k]
				if !ok {
					problems = append(problems, fmt.Sprintf("%s.%s: client-go's %s has no such field", path, k, typ))
					continue
				}
				problems = append(problems, knownFields(path+"."+k, e, f)...)
			}
		default:
			problems = append(problems, fmt.Sprintf("%s: an object where client-go has %s", path, typ))
		}
	}
	return problems
}

// jsonFields maps a struct's JSON names to their types, embedded structs included.
func jsonFields(typ reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range typ.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported():
		case f.Anonymous && name == "":
			for k, t := range jsonFields(f.Type) {
				out[k] = t
			}
		case name == "":
			out[f.Name] = f.Type
		default:
			out[name] = f.Type
		}
	}
	return out
}

func TestUnknownFieldsAreCaught(t *testing.T) {
	var v any
	if err := json.Unmarshal([]byte(`[{"iid": 1, "blocked_by": [2], "assignees": [{"username": "a", "login": "a"}]}]`), &v); err != nil {
		t.Fatal(err)
	}
	got := knownFields("$", v, reflect.TypeOf([]*gl.Issue{}))
	if len(got) != 2 || !strings.Contains(strings.Join(got, "\n"), "$[0].blocked_by") || !strings.Contains(strings.Join(got, "\n"), "$[0].assignees[0].login") {
		t.Fatalf("problems %q, want blocked_by and the nested login", got)
	}
}
