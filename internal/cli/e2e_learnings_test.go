package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/github/githubtest"
	"github.com/symphony-go/symphony/internal/store"
)

// mockReflector is an Anthropic Messages endpoint that answers every reflection with one rule
// and keeps the user prompts it was sent.
type mockReflector struct {
	mu      sync.Mutex
	prompts []string
}

func (m *mockReflector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body struct {
		Messages []struct{ Content string } `json:"messages"`
	}
	if r.URL.Path != "/v1/messages" || r.Header.Get("x-api-key") != "learn-e2e-key" || json.Unmarshal(raw, &body) != nil || len(body.Messages) != 1 {
		http.Error(w, "unexpected request", http.StatusBadRequest)
		return
	}
	m.mu.Lock()
	m.prompts = append(m.prompts, body.Messages[0].Content)
	m.mu.Unlock()
	text := `{"learnings":[{"rule":"Add a CHANGELOG.md entry for every user-visible change.","tags":["docs","changelog"],"evidence_quote":"Please add a CHANGELOG entry"}]}`
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"content": []map[string]any{{"type": "text", "text": text}},
		"usage": map[string]any{"input_tokens": 300, "output_tokens": 40}})
}

func (m *mockReflector) sent() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.prompts...)
}

// TestMergedPullRequestTeachesTheNextRunWithRealCodex runs the service with the real codex
// against the mock model, the fake GitHub and a mock reflection provider: the agent opens a
// pull request; a reviewer asks for a changelog entry and the pull request is merged; the
// review poller reflects on it once and stores the rule; the repository opted in with
// prompts.include_learnings, so the next issue's first prompt carries the rule inside its
// untrusted boundary, and `symphony learnings` lists it.
func TestMergedPullRequestTeachesTheNextRunWithRealCodex(t *testing.T) {
	e := newE2E(t, "DEMO-1")
	gh := e.useGitHubOrigin(t)
	reflector := &mockReflector{}
	api := httptest.NewServer(reflector)
	defer api.Close()
	e.env = append(e.env, "ANTHROPIC_API_KEY=learn-e2e-key", "ANTHROPIC_BASE_URL="+api.URL)
	os.WriteFile(filepath.Join(e.dir, "WORKFLOW.md"), []byte("---\nprompts:\n  include_learnings: 5\n---\nWork on {{ issue.identifier }}: {{ issue.title }}.\n"), 0o644)
	handOff := codextest.Step{Tool: "tracker_update_state", ToolArgs: map[string]any{"state_name_or_id": "Human Review"}}
	mock := codextest.NewResponses(t,
		codextest.Step{Shell: agentCommit("WORK.md", "work on DEMO-1")},
		codextest.Step{Tool: "github_push_branch", ToolArgs: map[string]any{}},
		codextest.Step{Tool: "github_create_pull_request", ToolArgs: map[string]any{"title": "DEMO-1: add WORK.md", "body": "Closes DEMO-1."}},
		handOff, codextest.Step{Text: "DEMO-1 is in review."},
		handOff, codextest.Step{Text: "DEMO-2 is in review."})
	e.writeConfig(t, mock)
	// A long rework delay keeps the reviewer's comment from starting a rework run before the
	// merge is seen.
	appendFile(t, e.config, `pull_requests:
  enabled: true
  poll_interval_ms: 1000
  review_state: Human Review
  review_comments: {rework_delay_minutes: 60}
  learnings: {enabled: true, provider: anthropic, model: claude-haiku-4-5-20251001}
`)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	_, stderr := e.startService(t, ctx)
	waitFor := func(what string, done func() bool) {
		t.Helper()
		for deadline := time.Now().Add(150 * time.Second); !done(); time.Sleep(200 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s\nstderr:\n%s", what, stderr)
			}
		}
	}
	inReview := func(id string) func() bool {
		return func() bool { return e.issueState(t, id) == "Human Review" && e.unfinishedRuns(t) == 0 }
	}

	waitFor("the pull request", inReview("DEMO-1"))
	prs := gh.PullRequests("acme/demo")
	if len(prs) != 1 {
		t.Fatalf("pull requests %+v, want one", prs)
	}
	gh.AddIssueComment("acme/demo", githubtest.IssueComment{Number: prs[0].Number, Author: "alice", Body: "Please add a CHANGELOG entry for this."})
	gh.UpdatePullRequest("acme/demo", prs[0].Number, func(p *githubtest.PullRequest) { p.State = githubtest.StateMerged })
	var stored []store.Learning
	waitFor("the learning", func() bool {
		stored = readLearnings(t, e.state)
		return len(stored) > 0
	})
	if len(stored) != 1 || stored[0].IssueIdentifier != "DEMO-1" || stored[0].PRURL != "https://github.com/acme/demo/pull/"+strconv.Itoa(prs[0].Number) || stored[0].RunID == "" {
		t.Fatalf("stored learnings %+v, want the one rule from DEMO-1's pull request and its run", stored)
	}
	sent := reflector.sent()
	if len(sent) != 1 || !strings.Contains(sent[0], "Please add a CHANGELOG entry for this.") || !strings.Contains(sent[0], "Do task 1.") {
		t.Fatalf("reflection prompts %q, want one carrying the reviewer's comment and the issue", sent)
	}

	os.WriteFile(filepath.Join(e.issues, "DEMO-2.md"), []byte("---\ntitle: Task 2\nstate: Todo\npriority: 2\n---\nDo task 2.\n"), 0o644)
	waitFor("the second issue", inReview("DEMO-2"))
	prompts := firstTurnPrompts(mock)
	if len(prompts) != 2 {
		t.Fatalf("%d first-turn prompts, want 2", len(prompts))
	}
	if strings.Contains(prompts[0], "Repository learnings") {
		t.Errorf("the first issue's prompt has learnings before any pull request merged:\n%s", prompts[0])
	}
	// The prompts are JSON text: undo its escapes of <, > and newlines before reading them.
	second := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\n`, "\n").Replace(prompts[1])
	if !strings.Contains(second, "## Repository learnings") ||
		!strings.Contains(second, "<repository_learning>\nAdd a CHANGELOG.md entry for every user-visible change.") {
		t.Errorf("the second issue's prompt lacks the wrapped learning:\n%s", prompts[1])
	}
	if n := len(reflector.sent()); n != 1 {
		t.Errorf("%d reflections, want exactly one for the merged pull request", n)
	}

	listCtx, cancelList := context.WithTimeout(context.Background(), time.Minute)
	defer cancelList()
	list, out, errOut := e.command(listCtx, "learnings")
	if err := list.Run(); err != nil || !strings.Contains(out.String(), "Add a CHANGELOG.md entry") {
		t.Errorf("symphony learnings does not list the rule (%v):\n%s%s", err, out, errOut)
	}
	auditCmd, aout, aerr := e.command(listCtx, "audit", "show", "DEMO-1", "--json")
	if err := auditCmd.Run(); err != nil || !strings.Contains(aout.String(), `"learnings_captured"`) {
		t.Errorf("the audit log has no learnings_captured record (%v):\n%s", err, aerr)
	}
}

// readLearnings reads the stored learnings of the service's state root, newest first.
func readLearnings(t *testing.T, state string) []store.Learning {
	t.Helper()
	if _, err := os.Stat(filepath.Join(state, "symphony.db")); err != nil {
		return nil
	}
	st, err := store.Open(context.Background(), store.Options{StateRoot: state, ReadOnly: true})
	if err != nil {
		return nil
	}
	defer st.Close()
	ls, err := st.Learnings(context.Background(), "", 0)
	if err != nil {
		return nil
	}
	return ls
}
