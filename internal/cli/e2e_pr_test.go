package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/github/githubtest"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/testenv"
)

// TestPRCommandRunsOneTurnOnTheHeadWithRealCodex runs `symphony pr 7 --intent ...` with the
// real codex against the mock model: one turn on the PR's head branch commits and pushes with
// github_push_branch, the run is recorded, and fork, closed, paused and already-running
// pull requests are each refused with their code and a non-zero exit.
func TestPRCommandRunsOneTurnOnTheHeadWithRealCodex(t *testing.T) {
	e := newE2E(t)
	gh := e.useGitHubOrigin(t)
	bare := filepath.Join(e.dir, "origin.git")
	testenv.Git(t, e.src, "push", "-q", "origin", "HEAD:refs/heads/feature/x")
	gh.SetBranch("acme/demo", "feature/x", testenv.GitOutput(t, bare, "rev-parse", "feature/x"))
	gh.AddPullRequest("acme/demo", githubtest.PullRequest{Number: 7, Title: "Add x", Body: "Please add x.", Head: "feature/x", Base: "main"})
	gh.AddPullRequest("acme/demo", githubtest.PullRequest{Number: 8, Title: "From a fork", Head: "feature/x", Base: "main", HeadRepo: "mallory/demo", HeadSHA: strings.Repeat("a", 40)})
	gh.AddPullRequest("acme/demo", githubtest.PullRequest{Number: 9, Title: "Closed", Head: "feature/x", Base: "main", State: githubtest.StateClosed})

	commit := `printf 'review fix\n' > FIX.md && git add FIX.md && git -c user.name=agent -c user.email=agent@example.invalid commit -qm "address the review on PR 7"`
	mock := codextest.NewResponses(t,
		codextest.Step{Shell: commit},
		codextest.Step{Tool: "github_push_branch", ToolArgs: map[string]any{}},
		codextest.Step{Text: "Pushed the fix to feature/x."})
	e.writeConfig(t, mock)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	refused := func(code string, args ...string) {
		t.Helper()
		cmd, out, errOut := e.command(ctx, append([]string{"pr"}, args...)...)
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != ExitFailure || !strings.Contains(errOut.String(), code+":") {
			t.Errorf("symphony pr %v: %v, want exit 1 with %s\nstdout:\n%s\nstderr:\n%s", args, err, code, out, errOut)
		}
	}
	refused(refusedFork, "8")
	refused(refusedClosed, "https://github.com/acme/demo/pull/9")
	if n := len(mock.Requests()); n != 0 {
		t.Fatalf("a refused pull request reached the model (%d requests)", n)
	}

	run, out, errOut := e.command(ctx, "pr", "7", "--intent", "address the review")
	if err := run.Run(); err != nil {
		t.Fatalf("symphony pr 7: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	if !strings.Contains(out.String(), "PR-7: success after 1 turn(s)") {
		t.Errorf("symphony pr 7 printed %q", out)
	}
	head := testenv.GitOutput(t, bare, "rev-parse", "feature/x")
	if msg := testenv.GitOutput(t, bare, "log", "-1", "--format=%s", head); msg != "address the review on PR 7" {
		t.Errorf("origin's feature/x is at %q, want the agent's pushed commit", msg)
	}
	requests := mock.Requests()
	first, _ := json.Marshal(requests[0].Input)
	for _, want := range []string{"address the review", "https://github.com/acme/demo/pull/7", "feature/x"} {
		if !strings.Contains(string(first), want) {
			t.Errorf("the PR prompt lacks %q", want)
		}
	}
	runs, err := readRuns(e.state)
	if err != nil || len(runs) != 1 || runs[0].IssueIdentifier != "PR-7" || runs[0].IssueID != "pr:demo:7" || runs[0].Status != store.StatusSuccess {
		t.Fatalf("runs %+v (%v), want one successful PR-7 run", runs, err)
	}

	st, err := store.Open(ctx, store.Options{StateRoot: e.state, Redactor: secretscan.New()})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetPause(ctx, store.Pause{Paused: true, Reason: "deploy freeze"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	refused("paused", "7")

	st, err = store.Open(ctx, store.Options{StateRoot: e.state, Redactor: secretscan.New()})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetPause(ctx, store.Pause{}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartRun(ctx, store.Run{RepoKey: "demo", IssueID: "pr:demo:7", IssueIdentifier: "PR-7"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	refused("already_running", "7")
	if n := len(mock.Requests()); n != len(requests) {
		t.Errorf("a refused run reached the model (%d more requests)", n-len(requests))
	}
}
