package apischema

import (
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// Operation is one operation of the description: its method and path template and the
// schemas of the JSON it takes and gives back.
type Operation struct {
	// ID names the operation in messages (the description's operationId where the table
	// uses it).
	ID string
	// Method and Path are as the description writes them, e.g. "GET", "/repos/{owner}/{repo}".
	Method, Path string
	// Request types the JSON body the client sends; nil when the operation takes none (or a
	// non-JSON one, such as a multipart upload).
	Request *Schema
	// Response types a successful answer's JSON body; nil when it has none (204, a redirect).
	Response *Schema
}

// Matches reports whether a request for method and path is this operation.
func (o Operation) Matches(method, path string) bool {
	return o.Method == method && templateMatches(o.Path, path)
}

// Route is "METHOD /path/{param}" naming a route a fake serves.
func (o Operation) Route() string { return o.Method + " " + o.Path }

func templateMatches(template, path string) bool {
	want := strings.Split(strings.Trim(template, "/"), "/")
	got := strings.Split(strings.Trim(path, "/"), "/")
	if len(want) != len(got) {
		return false
	}
	for i, seg := range want {
		if isParam(seg) {
			if got[i] == "" {
				return false
			}
			continue
		}
		if seg != got[i] {
			return false
		}
	}
	return true
}

// RouteMatches reports whether route ("METHOD /template") covers method and path.
func RouteMatches(route, method, path string) bool {
	m, template, ok := strings.Cut(route, " ")
	return ok && m == method && templateMatches(template, path)
}

// CheckExchanges checks every recorded exchange against the operation it belongs to: the JSON
// request body against the operation's request schema, a successful answer's JSON against its
// response schema, and a failed answer's (4xx, 5xx) against failure when that is not nil. An
// exchange that is no operation and matches none of undescribed (routes the description has no
// part in, such as a GraphQL endpoint) is a problem too. It returns the problems and the
// routes of the operations that answered successfully (2xx or a redirect).
func CheckExchanges(exchanges []Exchange, ops []Operation, undescribed []string, failure *Schema) (problems []string, answered map[string]bool) {
	answered = map[string]bool{}
	for _, ex := range exchanges {
		at := ex.Method + " " + ex.Path
		op, ok := find(ops, ex.Method, ex.Path)
		if !ok {
			if !matchesAny(undescribed, ex.Method, ex.Path) {
				problems = append(problems, fmt.Sprintf("%s: no operation of the description matches", at))
			}
			continue
		}
		problems = append(problems, checkBody(at+" request", op.ID, ex.RequestType, ex.RequestBody, op.Request)...)
		if ex.Status >= 400 && failure != nil {
			problems = append(problems, checkBody(fmt.Sprintf("%s answer %d", at, ex.Status), op.ID, ex.ResponseType, ex.ResponseBody, failure)...)
		}
		if !succeeded(ex.Status) {
			continue
		}
		answered[op.Route()] = true
		problems = append(problems, checkBody(at+" answer", op.ID, ex.ResponseType, ex.ResponseBody, op.Response)...)
	}
	return problems, answered
}

// succeeded is a 2xx or a redirect (a log download answers 302); a 304 has no body to check.
func succeeded(status int) bool {
	return status >= 200 && status < 400 && status != http.StatusNotModified
}

func checkBody(where, opID, contentType string, body []byte, s *Schema) []string {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if mediaType, _, _ := mime.ParseMediaType(contentType); contentType != "" && mediaType != "application/json" {
		if s != nil {
			return []string{fmt.Sprintf("%s: %s body where %s has JSON", where, mediaType, opID)}
		}
		return nil
	}
	if s == nil {
		return []string{fmt.Sprintf("%s: a JSON body where %s has none", where, opID)}
	}
	v, err := Decode(body)
	if err != nil {
		return []string{fmt.Sprintf("%s: not JSON: %v", where, err)}
	}
	var problems []string
	for _, p := range Check("$", v, s) {
		problems = append(problems, fmt.Sprintf("%s (%s): %s", where, opID, p))
	}
	return problems
}

func find(ops []Operation, method, path string) (Operation, bool) {
	for _, op := range ops {
		if op.Matches(method, path) {
			return op, true
		}
	}
	return Operation{}, false
}

func matchesAny(routes []string, method, path string) bool {
	for _, r := range routes {
		if RouteMatches(r, method, path) {
			return true
		}
	}
	return false
}

// SameRoute reports whether two routes ("METHOD /template") name the same operation, however
// their path parameters are called.
func SameRoute(a, b string) bool {
	ma, ta, okA := strings.Cut(a, " ")
	mb, tb, okB := strings.Cut(b, " ")
	if !okA || !okB || ma != mb {
		return false
	}
	sa, sb := strings.Split(strings.Trim(ta, "/"), "/"), strings.Split(strings.Trim(tb, "/"), "/")
	if len(sa) != len(sb) {
		return false
	}
	for i := range sa {
		if isParam(sa[i]) && isParam(sb[i]) {
			continue
		}
		if sa[i] != sb[i] {
			return false
		}
	}
	return true
}

func isParam(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }
