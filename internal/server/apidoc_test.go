package server

import (
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/testenv"
)

var updateDoc = flag.Bool("update", false, "rewrite the examples in docs/api.md from the live answers")

// docExample is one `<!-- example STATUS METHOD TARGET [BODY] [no-token] [origin:URL] -->`
// marker of docs/api.md and the fenced block after it.
type docExample struct {
	status       int
	method       string
	target, body string
	noToken      bool
	origin       string
	// start and end are the line indexes of the block's content.
	start, end int
}

var exampleMarker = regexp.MustCompile(`^<!-- example (\d{3}) ([A-Z]+) (\S+)(.*) -->$`)

func parseDoc(t *testing.T, lines []string) (routes []string, examples []docExample) {
	t.Helper()
	for i := 0; i < len(lines); i++ {
		if r, ok := strings.CutPrefix(lines[i], "### "); ok {
			routes = append(routes, r)
		}
		m := exampleMarker.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		status, _ := strconv.Atoi(m[1])
		ex := docExample{status: status, method: m[2], target: m[3]}
		for _, word := range strings.Fields(m[4]) {
			switch {
			case word == "no-token":
				ex.noToken = true
			case strings.HasPrefix(word, "origin:"):
				ex.origin = strings.TrimPrefix(word, "origin:")
			case strings.HasPrefix(word, "{"):
				ex.body = word
			default:
				t.Fatalf("docs/api.md:%d: unknown example option %q", i+1, word)
			}
		}
		if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "```") {
			t.Fatalf("docs/api.md:%d: the example marker is not followed by a fenced block", i+1)
		}
		end := i + 2
		for end < len(lines) && lines[end] != "```" {
			end++
		}
		if end == len(lines) {
			t.Fatalf("docs/api.md:%d: unterminated block", i+2)
		}
		ex.start, ex.end = i+2, end
		examples = append(examples, ex)
		i = end
	}
	return routes, examples
}

// answer asks a fresh scripted service for the example and returns the status and body; for
// the event stream, its first frame.
func answer(t *testing.T, ex docExample) (int, string) {
	t.Helper()
	env := newTestEnv(t, withLearnings(t))
	writeAudit(t, env.state, 6)
	header := bearer()
	if ex.noToken {
		header = http.Header{}
	}
	if ex.origin != "" {
		header.Set("Origin", ex.origin)
	}
	if ex.target == "/api/v1/events" {
		ts := httptest.NewServer(env.srv.Handler())
		t.Cleanup(ts.Close)
		r := openEvents(t, ts.URL)
		return r.resp.StatusCode, strings.TrimSuffix(r.next(t, 5*time.Second), "\n")
	}
	rec := do(env.srv.Handler(), ex.method, ex.target, ex.body, header)
	return rec.Code, strings.TrimSuffix(rec.Body.String(), "\n")
}

// TestAPIDocMatchesTheLiveAPI checks docs/api.md against the server: every route has a
// section, every section a route, and every example is what the route answers for the
// scripted orchestrator of these tests (go test -run TestAPIDoc -update rewrites them).
func TestAPIDocMatchesTheLiveAPI(t *testing.T) {
	path := filepath.Join(testenv.ModuleRoot(t), "docs", "api.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	routes, examples := parseDoc(t, lines)
	env := newTestEnv(t, withLearnings(t))
	if want := env.srv.Routes(); !slices.Equal(routes, want) {
		t.Errorf("docs/api.md sections %q\nserver routes        %q", routes, want)
	}
	documented := map[string]bool{}
	for i := len(examples) - 1; i >= 0; i-- {
		ex := examples[i]
		status, body := answer(t, ex)
		if status != ex.status {
			t.Errorf("docs/api.md:%d: %s %s answers %d, the doc says %d", ex.start-1, ex.method, ex.target, status, ex.status)
		}
		if *updateDoc {
			lines = slices.Replace(lines, ex.start, ex.end, strings.Split(body, "\n")...)
		} else if got := strings.Join(lines[ex.start:ex.end], "\n"); got != body {
			t.Errorf("docs/api.md:%d: the example of %s %s differs from the live answer:\n%s", ex.start-1, ex.method, ex.target, body)
		}
		if ex.status < 300 {
			documented[ex.method+" "+strings.Split(ex.target, "?")[0]] = true
		}
	}
	for _, r := range routes {
		method, pattern, _ := strings.Cut(r, " ")
		re := regexp.MustCompile("^" + regexp.MustCompile(`\\\{[a-z_]+\\\}`).ReplaceAllString(regexp.QuoteMeta(pattern), `[^/]+`) + "$")
		found := false
		for d := range documented {
			m, p, _ := strings.Cut(d, " ")
			found = found || (m == method && re.MatchString(p))
		}
		if !found {
			t.Errorf("docs/api.md: %s has no example of a successful answer", r)
		}
	}
	if *updateDoc {
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
