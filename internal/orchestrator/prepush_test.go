package orchestrator

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/review"
	"github.com/symphony-go/symphony/internal/store"
)

// fakeReviewer builds reviewer sessions that answer each turn with the next scripted reply,
// across sessions, and report reviewerTurnTokens per turn.
type fakeReviewer struct {
	mu       sync.Mutex
	replies  []string
	requests []AgentRequest
	prompts  []string
}

const reviewerTurnTokens = 500

func (f *fakeReviewer) factory(r AgentRequest) (agent.Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r)
	return &fakeReviewerSession{f: f, events: r.Events}, nil
}

type fakeReviewerSession struct {
	f      *fakeReviewer
	events agent.EventSink
	usage  agent.TokenUsage
}

func (s *fakeReviewerSession) Start(context.Context) error { return nil }
func (s *fakeReviewerSession) Stop(context.Context) error  { return nil }
func (s *fakeReviewerSession) PID() int                    { return 0 }
func (s *fakeReviewerSession) Usage() agent.TokenUsage     { return s.usage }

func (s *fakeReviewerSession) RunTurn(_ context.Context, prompt string) (agent.TurnResult, error) {
	s.f.mu.Lock()
	s.f.prompts = append(s.f.prompts, prompt)
	if len(s.f.replies) == 0 {
		s.f.mu.Unlock()
		return agent.TurnResult{}, agent.Errorf(agent.CodeTurnFailed, "the reviewer script is exhausted")
	}
	reply := s.f.replies[0]
	s.f.replies = s.f.replies[1:]
	s.f.mu.Unlock()
	delta := agent.TokenUsage{UncachedInput: reviewerTurnTokens - 50, Output: 50, Total: reviewerTurnTokens}
	s.usage = s.usage.Add(delta)
	total := s.usage
	s.events(agent.Event{Kind: agent.EventTokenUsage, SessionID: "reviewer", Usage: &total, UsageDelta: &delta})
	return agent.TurnResult{SessionID: "reviewer", LastMessage: reply}, nil
}

func (f *fakeReviewer) seen() ([]AgentRequest, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]AgentRequest(nil), f.requests...), append([]string(nil), f.prompts...)
}

func withReviewer(f *fakeReviewer, maxIterations int) option {
	return func(c *harnessConfig) {
		c.review = func(*harness) *PrePushReview {
			return &PrePushReview{MaxIterations: maxIterations, EscalateToState: "Human Review", NewReviewer: f.factory}
		}
	}
}

// gitIn runs git in dir for an executor turn.
func gitIn(dir string, args ...string) error {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=agent", "GIT_AUTHOR_EMAIL=agent@example.invalid",
		"GIT_COMMITTER_NAME=agent", "GIT_COMMITTER_EMAIL=agent@example.invalid")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git %v: %v: %s", args, err, out)
	}
	return nil
}

// commitTurn makes the executor's turn write content to work.txt and commit it; the first
// one also gives the workspace a repository with an origin to compare against.
func commitTurn(ws, origin, content string, first bool) func(context.Context, string) error {
	return func(context.Context, string) error {
		if first {
			steps := [][]string{{"init", "-q", "--bare", "-b", "main", origin}, {"init", "-q", "-b", "main"},
				{"commit", "-q", "--allow-empty", "-m", "seed"}, {"remote", "add", "origin", origin},
				{"push", "-q", "origin", "main"}, {"checkout", "-q", "-b", "auto/ENG-1"}}
			for _, s := range steps {
				if err := gitIn(ws, s...); err != nil {
					return err
				}
			}
		}
		if err := os.WriteFile(filepath.Join(ws, "work.txt"), []byte(content), 0o644); err != nil {
			return err
		}
		if err := gitIn(ws, "add", "work.txt"); err != nil {
			return err
		}
		return gitIn(ws, "commit", "-qm", "work")
	}
}

func reviewerFinding(verdict, quote, reason string) string {
	return fmt.Sprintf(`{"verdict": %q, "reason": %q, "findings": [{"summary": "the limit is hard-coded", "file": "work.txt",
		"line_range": [1, 1], "quoted_snippet": %q, "suggested_fix": "read it from the config"}]}`, verdict, reason, quote)
}

func TestPrePushReviewRequestsChangesThenApproves(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	rv := &fakeReviewer{replies: []string{
		reviewerFinding("request_changes", "retry_limit = 3", ""), reviewerFinding("request_changes", "retry_limit = 3", ""),
		`{"verdict": "approve", "findings": []}`,
	}}
	h := newHarness(t, withReviewer(rv, 1), withSettings(func(s *Settings) { s.MaxTurns = 3 }))
	ws, origin := h.workspacePath("app", "ENG-1"), filepath.Join(t.TempDir(), "origin.git")
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{
		{Tokens: 1000, Do: commitTurn(ws, origin, "retry_limit = 3\n", true)},
		{Tokens: 1000, Do: commitTurn(ws, origin, "retry_limit = config.retries\n", false)},
		{Tokens: 1000},
	}})
	h.put(newIssue(1, "Todo"))
	h.start()
	h.eventually("the attempt to end", func() bool {
		runs := h.runs("id-1")
		return len(runs) > 0 && !runs[0].EndedAt.IsZero()
	})
	executor := h.agents.SessionsFor("ENG-1")[0].Prompts()
	if len(executor) != 3 {
		t.Fatalf("executor turns %d, want 3", len(executor))
	}
	wants := []string{review.ExecutorGate, "1. work.txt:1-1: the limit is hard-coded Suggested fix: read it from the config", review.ApprovalPrompt}
	for i, want := range wants {
		if !strings.Contains(executor[i], want) {
			t.Errorf("executor turn %d prompt lacks %q:\n%s", i+1, want, executor[i])
		}
	}
	if strings.Contains(executor[2], review.ExecutorGate) {
		t.Error("the executor is still held before push after the approval")
	}
	requests, prompts := rv.seen()
	if len(requests) != 2 || len(prompts) != 3 {
		t.Fatalf("reviewer sessions %d turns %d, want 2 sessions (one per reviewed commit) and 3 turns", len(requests), len(prompts))
	}
	for _, r := range requests {
		if !r.ReadOnlyTools || r.Workspace.Path != ws {
			t.Errorf("reviewer request %+v: want read-only tools in the executor's workspace", r)
		}
	}
	if !strings.Contains(prompts[0], "+retry_limit = 3") || prompts[1] != review.SelfCheckPrompt || !strings.Contains(prompts[2], "+retry_limit = config.retries") {
		t.Errorf("reviewer prompts:\n%s", strings.Join(prompts, "\n----\n"))
	}
	run := h.runs("id-1")[0]
	if run.Status != store.StatusSuccess || run.Tokens.Total != 3*1000+3*reviewerTurnTokens {
		t.Errorf("run %s with %d tokens, want success with the executor's and the reviewer's %d", run.Status, run.Tokens.Total, 3*1000+3*reviewerTurnTokens)
	}
	if got := fmt.Sprint(h.runFinishedDetail("ENG-1", "reviewer_tokens")); got != fmt.Sprint(3*reviewerTurnTokens) {
		t.Errorf("run_finished reviewer_tokens %v, want %d", got, 3*reviewerTurnTokens)
	}
}

// runFinishedDetail is a detail of the identifier's last run_finished audit record.
func (h *harness) runFinishedDetail(identifier, key string) any {
	h.t.Helper()
	h.eventually("the run_finished record", func() bool {
		return slices.Contains(h.auditTypes(identifier), audit.EventRunFinished)
	})
	recs, err := audit.Query(audit.QueryOptions{Dir: audit.Dir(h.state), Issue: identifier})
	if err != nil {
		h.t.Fatal(err)
	}
	var detail any
	for _, r := range recs {
		if r.EventType == audit.EventRunFinished {
			detail = r.Details[key]
		}
	}
	return detail
}

func TestPrePushReviewBlockEscalatesWithoutRetry(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	block := reviewerFinding("block", "rm -rf /data", "deletes production data")
	rv := &fakeReviewer{replies: []string{block, block}}
	h := newHarness(t, withReviewer(rv, 1), withSettings(func(s *Settings) { s.MaxTurns = 3 }))
	ws, origin := h.workspacePath("app", "ENG-1"), filepath.Join(t.TempDir(), "origin.git")
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{Do: commitTurn(ws, origin, "rm -rf /data\n", true)}}})
	h.put(newIssue(1, "Todo"))
	h.start()
	s := h.waitFor("the blocked issue to be held", func(s *Snapshot) bool { return len(s.Held) == 1 })
	if !strings.Contains(s.Held[0].Reason, "review_agent_blocked: deletes production data") {
		t.Errorf("held reason %q", s.Held[0].Reason)
	}
	if len(s.Retrying) != 0 {
		t.Errorf("a blocked issue is retried: %+v", s.Retrying)
	}
	comments := h.commentBodies("id-1")
	last := comments[len(comments)-1]
	if !strings.HasPrefix(last, "Symphony pre-push review: blocked.\n\nReason: deletes production data") || !strings.Contains(last, "1. work.txt:1-1: the limit is hard-coded") {
		t.Errorf("tracker comments %q", comments)
	}
	is, err := h.tr.FetchIssueByIdentifier(context.Background(), "ENG-1")
	if err != nil || is.State != "Human Review" {
		t.Errorf("issue state %q (%v), want the escalation state", is.State, err)
	}
	if n := len(h.agents.SessionsFor("ENG-1")[0].Prompts()); n != 1 {
		t.Errorf("the executor ran %d turns after the block, want only the one that committed", n)
	}
}
