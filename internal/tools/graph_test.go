package tools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/tracker"
)

// relate gives ENG-1 a parent (ENG-4), a child (ENG-3) and relations both ways.
func relate(f fixture) {
	f.tracker.SetParent("id-1", "id-4")
	f.tracker.SetParent("id-3", "id-1")
	f.tracker.Relate("id-1", "blocks", "id-2")
	f.tracker.Relate("id-3", "blocks", "id-1")
	f.tracker.Relate("id-4", "related", "id-1")
	f.tracker.Relate("id-2", "duplicate", "id-1")
}

func TestReadToolsShowLinkedIssuesAsUntrustedText(t *testing.T) {
	tests := []struct {
		tool, list string
		// want are the identifier and type of each entry, in order.
		want []string
	}{
		{"tracker_get_subissues", "subissues", []string{"ENG-3 "}},
		{"tracker_get_related_issues", "relations", []string{"ENG-2 blocks", "ENG-3 blocked_by", "ENG-4 related", "ENG-2 duplicated_by"}},
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			f := newFixture(t, "memory", true)
			relate(f)
			r := call(t, f.host, tt.tool, `{}`)
			if !r.Success {
				t.Fatalf("%s failed: %+v", tt.tool, r.Error)
			}
			entries := r.Output.(map[string]any)[tt.list].([]any)
			var got []string
			for _, e := range entries {
				m := e.(map[string]any)
				typ, _ := m["type"].(string)
				got = append(got, m["identifier"].(string)+" "+typ)
				checkWrappedTitle(t, m["title"].(string))
				if m["state"] == "" || m["id"] == "" {
					t.Errorf("entry %v lacks state or id", m)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("%s = %q, want %q", tt.tool, got, tt.want)
			}
		})
	}
}

// checkWrappedTitle asserts a title sits inside exactly one boundary tag pair and carries no
// secret.
func checkWrappedTitle(t *testing.T, title string) {
	t.Helper()
	if !strings.HasPrefix(title, "<linear_issue_title>") || strings.Count(title, "</linear_issue_title>") != 1 {
		t.Errorf("title is not wrapped once in its boundary tag: %q", title)
	}
	if strings.Contains(title, fakeGitHubToken) {
		t.Errorf("title leaks the token: %q", title)
	}
}

func TestGetParentIssue(t *testing.T) {
	f := newFixture(t, "memory", true)
	none := call(t, f.host, "tracker_get_parent_issue", `{}`)
	if out := none.Output.(map[string]any); !none.Success || out["has_parent"] != false || out["parent"] != nil || !strings.Contains(out["message"].(string), "no parent") {
		t.Fatalf("without a parent: %+v", none)
	}
	relate(f)
	r := call(t, f.host, "tracker_get_parent_issue", `{}`)
	out := r.Output.(map[string]any)
	if !r.Success || out["has_parent"] != true {
		t.Fatalf("with a parent: %+v", r)
	}
	parent := out["parent"].(map[string]any)
	if parent["identifier"] != "ENG-4" {
		t.Fatalf("parent = %v, want ENG-4", parent)
	}
	checkWrappedTitle(t, parent["title"].(string))
}

func TestReadToolFailuresKeepTheTrackerCode(t *testing.T) {
	for _, tool := range []string{"tracker_get_subissues", "tracker_get_parent_issue", "tracker_get_related_issues"} {
		f := newFixture(t, "memory", false)
		f.tracker.FailNext(tracker.Errorf(tracker.CodeRateLimited, "slow down"))
		if r := call(t, f.host, tool, `{}`); r.Success || r.Error.Code != string(tracker.CodeRateLimited) {
			t.Errorf("%s with a failing tracker = %+v, want %s", tool, r, tracker.CodeRateLimited)
		}
	}
}

func TestDeleteOwnComment(t *testing.T) {
	f := newFixture(t, "memory", false)
	human, _ := f.tracker.CreateComment(context.Background(), "id-1", "a human's comment")
	ack := call(t, f.host, "tracker_add_comment", `{"body":"scratch"}`).Output.(map[string]any)
	id := ack["id"].(string)

	r := call(t, f.host, "tracker_delete_comment", `{"comment_id":"`+id+`"}`)
	if !r.Success || r.Output.(map[string]any)["deleted"] != true {
		t.Fatalf("deleting its own comment: %+v", r)
	}
	left, _ := f.tracker.ListComments(context.Background(), "id-1")
	if len(left) != 1 || left[0].ID != human.ID {
		t.Fatalf("comments after delete = %+v, want only the human's", left)
	}
	if owned, _ := f.host.opts.Comments.Owns(context.Background(), "id-1", id); owned {
		t.Error("ownership of the deleted comment was kept")
	}
	if again := call(t, f.host, "tracker_delete_comment", `{"comment_id":"`+id+`"}`); again.Success || again.Error.Code != CodeCommentNotOwned {
		t.Errorf("deleting it again = %+v, want %s", again, CodeCommentNotOwned)
	}
}

func TestAttachURL(t *testing.T) {
	tests := []struct {
		name, args, wantURL, wantTitle string
	}{
		{"with a title", `{"url":"https://github.com/o/r/pull/7","title":"  PR\n 7 "}`, "https://github.com/o/r/pull/7", "PR 7"},
		{"without a title", `{"url":"http://gitlab.example.com/o/r/-/merge_requests/1"}`, "http://gitlab.example.com/o/r/-/merge_requests/1", ""},
		{"host in capitals", `{"url":"HTTPS://GitHub.COM/o/r"}`, "HTTPS://GitHub.COM/o/r", ""},
		{"title of exactly 120 characters", `{"url":"https://github.com/o/r","title":"` + strings.Repeat("é", 120) + `"}`, "https://github.com/o/r", strings.Repeat("é", 120)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, "memory", false)
			r := call(t, f.host, "tracker_attach_url", tt.args)
			if !r.Success {
				t.Fatalf("attach_url %s failed: %+v", tt.args, r.Error)
			}
			links := f.tracker.Links("id-1")
			if len(links) != 1 || links[0].URL != tt.wantURL || links[0].Title != tt.wantTitle {
				t.Fatalf("links = %+v, want %s %q", links, tt.wantURL, tt.wantTitle)
			}
			if out := r.Output.(map[string]any); out["id"] != links[0].ID || out["url"] != tt.wantURL {
				t.Errorf("ack = %v", out)
			}
			if other := f.tracker.Links("id-2"); len(other) != 0 {
				t.Errorf("another issue got links: %+v", other)
			}
		})
	}
}

func TestAttachURLSecretRefusalsAreAudited(t *testing.T) {
	for _, field := range []string{"url", "title"} {
		f := newFixture(t, "memory", false)
		args := map[string]string{"url": "https://github.com/o/r/pull/1", "title": "PR"}
		if field == "url" {
			args["url"] += "?access_token=" + fakeGitHubToken
		} else {
			args["title"] += " " + fakeGitHubToken
		}
		raw, _ := json.Marshal(args)
		call(t, f.host, "tracker_attach_url", string(raw))
		refused := f.audit.ofType(EventRefusedAgentAction)
		if len(refused) != 1 || refused[0].Details["tool"] != "tracker_attach_url" || refused[0].Details["field"] != field {
			t.Fatalf("secret in %s: refusals = %+v", field, refused)
		}
		for _, ev := range f.audit.events {
			if b, _ := json.Marshal(ev.Details); strings.Contains(string(b), fakeGitHubToken) {
				t.Errorf("audit event %s carries the secret", ev.Type)
			}
		}
	}
}

func TestAttachURLWithoutAllowedHostsRefusesAll(t *testing.T) {
	f := newFixture(t, "memory", false)
	f.host.opts.AllowedHosts = nil
	r := call(t, f.host, "tracker_attach_url", `{"url":"https://github.com/o/r"}`)
	if r.Success || r.Error.Code != CodeHostNotAllowed {
		t.Fatalf("with no allowed hosts: %+v, want %s", r, CodeHostNotAllowed)
	}
}
