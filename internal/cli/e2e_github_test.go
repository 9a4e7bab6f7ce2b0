package cli

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/github/githubtest"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/testenv"
)

// demoGitHubURL is the origin every clone of the e2e repository reports; url.insteadOf in the
// source clone sends git's traffic for it to the bare origin on disk.
const demoGitHubURL = "https://github.com/acme/demo.git"

// useGitHubOrigin makes the e2e source clone a GitHub-shaped one backed by the bare origin,
// starts the fake GitHub the tools talk to, and mirrors the bare origin's branches into it,
// as GitHub would see a push, until the test ends.
func (e *e2eEnv) useGitHubOrigin(t *testing.T) *githubtest.Server {
	t.Helper()
	bare := filepath.Join(e.dir, "origin.git")
	testenv.Git(t, e.src, "config", "url."+bare+".insteadOf", demoGitHubURL)
	testenv.Git(t, e.src, "remote", "set-url", "origin", demoGitHubURL)
	gh := githubtest.NewServer(t, githubtest.Options{})
	gh.AddRepository(githubtest.Repository{Owner: "acme", Name: "demo", Branches: map[string]string{"main": testenv.GitOutput(t, bare, "rev-parse", "main")}})
	e.env = append(e.env, "SYMPHONY_GITHUB_API_URL="+gh.URL, "GH_TOKEN="+githubtest.Token)
	// A sync that fails (a slow git under load) is logged and tried again at the next tick:
	// a branch never mirrored fails the test where the pull request is opened. The cleanup
	// waits for the mirror, so it never logs after the test has ended.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			if err := gh.SyncBranchesFromGit("acme/demo", bare); err != nil {
				t.Logf("mirroring the origin's branches into the fake GitHub (retrying): %v", err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return gh
}

// TestAgentPushesAndOpensAPullRequestWithRealCodex drives the real codex binary through the
// GitHub hand-off: the model commits, pushes with github_push_branch, opens a pull request
// with github_create_pull_request and moves its issue to review. The bare origin has the
// branch, the fake GitHub the draft pull request, the issue the PR link and the run its URL.
func TestAgentPushesAndOpensAPullRequestWithRealCodex(t *testing.T) {
	e := newE2E(t, "DEMO-1")
	gh := e.useGitHubOrigin(t)
	mock := codextest.NewResponses(t,
		codextest.Step{Shell: agentCommit("WORK.md", "work on DEMO-1")},
		codextest.Step{Tool: "github_push_branch", ToolArgs: map[string]any{}},
		codextest.Step{Tool: "github_create_pull_request", ToolArgs: map[string]any{"title": "DEMO-1: add WORK.md", "body": "Closes DEMO-1."}},
		codextest.Step{Tool: "tracker_update_state", ToolArgs: map[string]any{"state_name_or_id": "Human Review"}},
		codextest.Step{Text: "DEMO-1 is in review."})
	e.writeConfig(t, mock)

	e.serveUntilIssueIn(t, mock, "DEMO-1", "Human Review")

	all := modelToolOutputs(mock)
	if strings.Contains(all, `"success": false`) || !strings.Contains(all, `"pushed": true`) || !strings.Contains(all, `"attached_to_issue": true`) ||
		!strings.Contains(all, `"recorded_on_run": true`) {
		t.Errorf("the GitHub tool calls did not all succeed:\n%s", all)
	}
	head := testenv.GitOutput(t, e.src, "rev-parse", "auto/DEMO-1")
	if msg := testenv.GitOutput(t, e.src, "log", "-1", "--format=%s", head); msg != "work on DEMO-1" {
		t.Fatalf("branch auto/DEMO-1 head %q, want the agent's commit", msg)
	}
	if got := testenv.GitOutput(t, filepath.Join(e.dir, "origin.git"), "rev-parse", "refs/heads/auto/DEMO-1"); got != head {
		t.Errorf("the bare origin has auto/DEMO-1 at %s, want the agent's commit %s", got, head)
	}
	prs := gh.PullRequests("acme/demo")
	if len(prs) != 1 {
		t.Fatalf("fake GitHub has pull requests %+v, want one", prs)
	}
	pr := prs[0]
	if pr.Head != "auto/DEMO-1" || pr.Base != "main" || pr.Title != "DEMO-1: add WORK.md" || pr.Body != "Closes DEMO-1." || !pr.Draft {
		t.Errorf("pull request %+v, want head auto/DEMO-1, base main, the agent's title and body, draft", pr)
	}
	prURL := "https://github.com/acme/demo/pull/" + strconv.Itoa(pr.Number)
	links, err := os.ReadFile(filepath.Join(e.issues, "DEMO-1.links.json"))
	if err != nil || !strings.Contains(string(links), `"url": "`+prURL+`"`) {
		t.Errorf("DEMO-1's links do not carry %s (%v):\n%s", prURL, err, links)
	}
	runs, err := readRuns(e.state)
	if err != nil || len(runs) != 1 || runs[0].PRURL != prURL || runs[0].Status != store.StatusSuccess {
		t.Errorf("runs %+v (%v), want one successful run recording %s", runs, err, prURL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	list, out, errOut := e.command(ctx, "runs")
	if err := list.Run(); err != nil || !strings.Contains(out.String(), prURL) {
		t.Errorf("symphony runs does not show %s (%v):\n%s%s", prURL, err, out, errOut)
	}
	for _, req := range gh.Requests() {
		if req.Authorization != "Bearer "+githubtest.Token && req.Authorization != "token "+githubtest.Token {
			t.Errorf("GitHub request %s %s carried authorization %q", req.Method, req.Path, req.Authorization)
		}
	}
}

func readRuns(stateRoot string) ([]store.Run, error) {
	st, err := store.Open(context.Background(), store.Options{StateRoot: stateRoot, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return st.Runs(context.Background(), store.RunFilter{})
}
