package orchestrator

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/testenv"
)

// TestPollerContextReachesThePromptAndTheWorkspaceIsOnThePRHead dispatches an issue a PR
// poller sent back: its first prompt carries the reviewer comment and the CI failure, and its
// worktree was reset to the pull request's head branch first.
func TestPollerContextReachesThePromptAndTheWorkspaceIsOnThePRHead(t *testing.T) {
	h, _ := prHarness(t)
	h.cfg.runContext = func(_ context.Context, iss issue.Issue) (RunContext, error) {
		if iss.ID != "id-1" {
			return RunContext{}, nil
		}
		return RunContext{HeadRef: "feature/x",
			ReviewerComments: []prompt.ReviewerComment{{ID: "11", Kind: "comment", Author: "alice", Body: "rename foo to bar"}},
			CIFailure:        &prompt.CIFailure{CommitSHA: "abc123", FailedChecks: []prompt.CICheck{{Name: "unit", Conclusion: "failure"}}, LogExcerpt: "panic: boom"}}, nil
	}
	h.put(newIssue(1, "Todo"))
	h.start()
	first := h.firstPrompt("ENG-1")
	for _, want := range []string{"Review comments to resolve", "rename foo to bar", "abc123", "panic: boom"} {
		if !strings.Contains(first, want) {
			t.Errorf("the first prompt lacks %q:\n%s", want, first)
		}
	}
	if got := testenv.GitOutput(t, filepath.Join(h.wsRoot, "app", "ENG-1"), "symbolic-ref", "--short", "HEAD"); got != "feature/x" {
		t.Errorf("the workspace is on %q, want the PR head feature/x", got)
	}
}

// TestUnreadablePollerContextDoesNotHoldTheRunBack: the run starts with the plain prompt.
func TestUnreadablePollerContextDoesNotHoldTheRunBack(t *testing.T) {
	h := newHarness(t)
	h.cfg.runContext = func(context.Context, issue.Issue) (RunContext, error) {
		return RunContext{}, errors.New("store locked")
	}
	h.put(newIssue(1, "Todo"))
	h.start()
	if first := h.firstPrompt("ENG-1"); strings.Contains(first, "Review comments") || !strings.Contains(first, "Work on ENG-1.") {
		t.Fatalf("first prompt = %q", first)
	}
	if !strings.Contains(h.logs.String(), "store locked") {
		t.Error("the failed context read was not logged")
	}
}

func (h *harness) firstPrompt(identifier string) string {
	h.t.Helper()
	var first string
	h.eventually(identifier+"'s first prompt", func() bool {
		sessions := h.agents.SessionsFor(identifier)
		if len(sessions) == 0 || len(sessions[0].Prompts()) == 0 {
			return false
		}
		first = sessions[0].Prompts()[0]
		return true
	})
	return first
}
