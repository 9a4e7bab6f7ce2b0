package orchestrator

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/testenv"
	"github.com/symphony-go/symphony/internal/workspace"
)

// prHarness is a harness whose "app" repository uses worktrees of a clone of a bare origin
// that has the pull request's head branch, feature/x.
func prHarness(t *testing.T) (*harness, string) {
	t.Helper()
	testenv.Tool(t, "git")
	h := newHarness(t)
	dir := t.TempDir()
	origin, primary := filepath.Join(dir, "origin.git"), filepath.Join(dir, "primary")
	testenv.Git(t, dir, "init", "-q", "--bare", "-b", "main", origin)
	testenv.Git(t, dir, "clone", "-q", origin, primary)
	testenv.Git(t, primary, "commit", "-q", "--allow-empty", "-m", "seed")
	testenv.Git(t, primary, "push", "-q", "origin", "HEAD:main", "HEAD:refs/heads/feature/x")
	ws, err := workspace.New(workspace.Options{Root: h.wsRoot, Repos: []workspace.Repo{{Key: "app", Strategy: workspace.StrategyWorktree, PrimaryClone: primary}}})
	if err != nil {
		t.Fatal(err)
	}
	h.ws = ws
	return h, primary
}

var demoPR = prompt.PullRequest{Number: 7, URL: "https://github.com/acme/app/pull/7", Title: "Add x", State: "open",
	BaseRef: "main", HeadRef: "feature/x", Intent: "address the review"}

func TestRunPRRunsOneTurnOnTheHeadWithoutTheTracker(t *testing.T) {
	h, _ := prHarness(t)
	res, err := RunPR(context.Background(), h.deps(), "app", demoPR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeSuccess || res.Turns != 1 || res.Attempts != 1 || res.Issue.ID != "pr:app:7" {
		t.Fatalf("result %+v, want one successful turn for pr:app:7", res)
	}
	sessions := h.agents.SessionsFor("PR-7")
	if len(sessions) != 1 || len(sessions[0].Prompts()) != 1 {
		t.Fatalf("sessions %d, want one session with one prompt", len(sessions))
	}
	text := sessions[0].Prompts()[0]
	for _, want := range []string{demoPR.URL, "address the review", "feature/x"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PR prompt lacks %q:\n%s", want, text)
		}
	}
	runs, err := h.store.Runs(context.Background(), store.RunFilter{Issue: "pr:app:7"})
	if err != nil || len(runs) != 1 || runs[0].Status != store.StatusSuccess || runs[0].IssueIdentifier != "PR-7" {
		t.Fatalf("runs %+v (%v), want one successful PR-7 run", runs, err)
	}
	wsPath := filepath.Join(h.wsRoot, "app", "PR-7")
	if runs[0].WorkspacePath != wsPath {
		t.Errorf("run workspace %q, want %q", runs[0].WorkspacePath, wsPath)
	}
	if got := testenv.GitOutput(t, wsPath, "symbolic-ref", "--short", "HEAD"); got != "feature/x" {
		t.Errorf("the workspace is on %q, want the PR head feature/x", got)
	}
}

func TestRunPRRefusals(t *testing.T) {
	ctx := context.Background()
	t.Run("paused", func(t *testing.T) {
		h, _ := prHarness(t)
		if err := h.store.SetPause(ctx, store.Pause{Paused: true, Reason: "freeze"}); err != nil {
			t.Fatal(err)
		}
		_, err := RunPR(ctx, h.deps(), "app", demoPR, 0)
		var r *Refusal
		if !errors.As(err, &r) || r.Code != RefusedPaused {
			t.Fatalf("RunPR while paused = %v, want %s", err, RefusedPaused)
		}
	})
	t.Run("already running", func(t *testing.T) {
		h, _ := prHarness(t)
		is := PRIssue("app", demoPR)
		if _, err := h.store.StartRun(ctx, store.Run{RepoKey: "app", IssueID: is.ID, IssueIdentifier: is.Identifier}); err != nil {
			t.Fatal(err)
		}
		_, err := RunPR(ctx, h.deps(), "app", demoPR, 0)
		var r *Refusal
		if !errors.As(err, &r) || r.Code != RefusedAlreadyRunning {
			t.Fatalf("RunPR while a run is unfinished = %v, want %s", err, RefusedAlreadyRunning)
		}
		if len(h.agents.SessionsFor("PR-7")) != 0 {
			t.Error("a refused PR run started a session")
		}
	})
}
