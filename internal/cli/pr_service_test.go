package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/github/githubtest"
	"github.com/symphony-go/symphony/internal/server"
	"github.com/symphony-go/symphony/internal/testenv"
)

// TestPRCommandAsksTheRunningService runs `symphony pr` while the config's service runs: the
// service looks the pull request up on the fake GitHub, refuses a fork and a second run of
// the same pull request with their codes, runs PR-7 in one of its slots on the PR's head
// branch, and never retries it once it is stopped.
func TestPRCommandAsksTheRunningService(t *testing.T) {
	e := newControlEnv(t)
	bare, src := filepath.Join(e.dir, "origin.git"), filepath.Join(e.dir, "src")
	testenv.Git(t, src, "config", "url."+bare+".insteadOf", demoGitHubURL)
	testenv.Git(t, src, "remote", "set-url", "origin", demoGitHubURL)
	testenv.Git(t, src, "push", "-q", "origin", "HEAD:refs/heads/feature/x")
	gh := githubtest.NewServer(t, githubtest.Options{})
	gh.AddRepository(githubtest.Repository{Owner: "acme", Name: "demo", Branches: map[string]string{
		"main": testenv.GitOutput(t, bare, "rev-parse", "main"), "feature/x": testenv.GitOutput(t, bare, "rev-parse", "feature/x")}})
	gh.AddPullRequest("acme/demo", githubtest.PullRequest{Number: 7, Title: "Add x", Head: "feature/x", Base: "main"})
	gh.AddPullRequest("acme/demo", githubtest.PullRequest{Number: 8, Title: "From a fork", Head: "feature/x", Base: "main", HeadRepo: "mallory/demo", HeadSHA: strings.Repeat("a", 40)})
	e.env = append(e.env, "SYMPHONY_GITHUB_API_URL="+gh.URL, "GH_TOKEN="+githubtest.Token)

	svc, out := e.start(t)
	e.waitState(t, "the service to answer", out, func(server.State) bool { return true })
	if _, err := os.Stat(filepath.Join(e.state, server.SocketFile)); err != nil {
		t.Fatalf("no control socket: %v", err)
	}

	refused := func(code string, args ...string) {
		t.Helper()
		exit, text := e.ctl(t, append([]string{"pr"}, args...)...)
		if exit != ExitFailure || !strings.Contains(text, code+":") || !strings.Contains(text, "the service at") {
			t.Errorf("symphony pr %v: exit %d, want 1 with %s from the service\n%s", args, exit, code, text)
		}
	}
	refused(refusedFork, "8")
	if exit, text := e.ctl(t, "pr", "7", "--repo", "nope"); exit != ExitUsage || !strings.Contains(text, `"nope" is not a repository key`) {
		t.Errorf("symphony pr 7 --repo nope: exit %d, want 2\n%s", exit, text)
	}

	text := e.mustCtl(t, "pr", "https://github.com/acme/demo/pull/7", "--intent", "address the review")
	if !strings.Contains(text, "PR-7: dispatched to the running service") {
		t.Errorf("symphony pr 7 printed %q", text)
	}
	st := e.waitState(t, "PR-7 running in the service", out, func(st server.State) bool {
		return slices.Equal(runningIDs(st), []string{"PR-7"}) && st.Running[0].WorkspacePath != ""
	})
	if head := testenv.GitOutput(t, st.Running[0].WorkspacePath, "symbolic-ref", "--short", "HEAD"); head != "feature/x" {
		t.Errorf("the PR run's workspace is on %q, want feature/x", head)
	}
	refused("already_running", "7")

	e.mustCtl(t, "stop", "PR-7")
	idle := func(st server.State) bool {
		return len(st.Running) == 0 && len(st.Retrying) == 0 && len(st.Queued) == 0
	}
	e.waitState(t, "PR-7 stopped", out, idle)
	e.stillFor(t, "PR-7 stays stopped, never retried", 3*time.Second, idle)
	e.stop(t, svc, out)
}
