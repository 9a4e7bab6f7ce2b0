package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/github/githubtest"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/server"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/testenv"
)

// crashConfig turns on both pollers with a one-second interval, no cooldown, one rerun per
// failing head and a reply once the rework is pushed.
const crashConfig = `pull_requests:
  enabled: true
  poll_interval_ms: 1000
  review_state: Human Review
  merge_state: Merging
  review_comments: {rework_delay_minutes: 0, reply_after_addressing: true}
  checks: {enabled: true, retry_failed_once: true, log_excerpt_lines: 20}
`

// crashService runs the symphony binary of an e2e environment again and again over the same
// state root, SIGKILLing it where the test says.
type crashService struct {
	t       *testing.T
	e       *e2eEnv
	pid     int
	exited  chan error
	stdout  fmt.Stringer
	stderr  fmt.Stringer
	running bool
}

// start runs the service; hold names the write-ahead step the pollers stop at ("" for none).
func (c *crashService) start(ctx context.Context, hold string) {
	c.t.Helper()
	env := c.e.env
	c.e.env = append(append([]string(nil), env...), prwatchHoldEnv+"="+hold)
	cmd, stdout, stderr := c.e.command(ctx)
	c.e.env = env
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.pid, c.stdout, c.stderr, c.running = cmd.Process.Pid, stdout, stderr, true
	c.exited = make(chan error, 1)
	go func() { c.exited <- cmd.Wait() }()
}

// kill SIGKILLs the service's process group and waits for it.
func (c *crashService) kill() {
	if !c.running {
		return
	}
	c.running = false
	syscall.Kill(-c.pid, syscall.SIGKILL)
	<-c.exited
}

// waitFor polls done until it holds, failing when the service exits or two minutes pass.
func (c *crashService) waitFor(what string, done func() bool) {
	c.t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); !done(); {
		select {
		case err := <-c.exited:
			c.running = false
			c.t.Fatalf("symphony exited (%v) while waiting for %s\nstdout:\n%s\nstderr:\n%s", err, what, c.stdout, c.stderr)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.kill()
			c.t.Fatalf("timed out waiting for %s (DEMO-1 is %q)\nstdout:\n%s\nstderr:\n%s", what, c.e.issueState(c.t, "DEMO-1"), c.stdout, c.stderr)
		}
	}
}

// withStore opens the state root's store while the service is down.
func (c *crashService) withStore(fn func(*store.Store)) {
	c.t.Helper()
	st, err := store.Open(context.Background(), store.Options{StateRoot: c.e.state, Redactor: secretscan.New()})
	if err != nil {
		c.t.Fatal(err)
	}
	defer st.Close()
	fn(st)
}

// phase is the pr_watch phase of DEMO-1 for one poller, or "" without a row.
func (c *crashService) phase(poller string) string {
	st, err := store.Open(context.Background(), store.Options{StateRoot: c.e.state, ReadOnly: true})
	if err != nil {
		return ""
	}
	defer st.Close()
	rows, err := st.PRWatches(context.Background(), poller)
	if err != nil {
		return ""
	}
	for _, r := range rows {
		if r.IssueID == "DEMO-1" {
			return r.Phase
		}
	}
	return ""
}

func (c *crashService) setPause(on bool) {
	c.withStore(func(st *store.Store) {
		if err := st.SetPause(context.Background(), store.Pause{Paused: on, Reason: "crash test keeps the scheduler from dispatching"}); err != nil {
			c.t.Fatal(err)
		}
	})
}

// succeededRuns counts DEMO-1's runs that ended in success.
func (c *crashService) succeededRuns() int {
	runs, err := readRuns(c.e.state)
	if err != nil {
		return -1
	}
	n := 0
	for _, r := range runs {
		if r.Status == store.StatusSuccess {
			n++
		}
	}
	return n
}

// TestKilledAtEachWriteAheadStepThePollersCompleteEachTransitionOnce SIGKILLs the real
// service at each write-ahead step of a rework, a rerun of failed jobs and a CI fix: after
// the pending record is stored, and after the tracker or GitHub call but before the record
// says it is done. Each restart finishes the transition: the issue moves once, GitHub reruns
// the jobs once, the scheduler dispatches one rework run and one fix run (both real codex
// against the mock model), the reviewer gets one reply, and the audit log has one record of
// each transition. While the service runs, status and
// status --json show the pollers' rows; once the pull request is merged its workspace and
// branch are removed and audited.
func TestKilledAtEachWriteAheadStepThePollersCompleteEachTransitionOnce(t *testing.T) {
	e := newE2E(t, "DEMO-1")
	gh := e.useGitHubOrigin(t)
	os.WriteFile(filepath.Join(e.issues, "DEMO-1.md"), []byte("---\ntitle: Task 1\nstate: Human Review\npriority: 1\n---\nDo task 1.\n"), 0o644)
	testenv.Git(t, e.src, "checkout", "-q", "-b", "auto/DEMO-1")
	os.WriteFile(filepath.Join(e.src, "WORK.md"), []byte("work\n"), 0o644)
	testenv.Git(t, e.src, "add", "WORK.md")
	testenv.Git(t, e.src, "commit", "-qm", "work on DEMO-1")
	testenv.Git(t, e.src, "push", "-q", "origin", "auto/DEMO-1")
	testenv.Git(t, e.src, "checkout", "-q", "main")
	gh.SetBranch("acme/demo", "auto/DEMO-1", testenv.GitOutput(t, e.dir+"/origin.git", "rev-parse", "auto/DEMO-1"))
	pr := gh.AddPullRequest("acme/demo", githubtest.PullRequest{Title: "DEMO-1: add WORK.md", Head: "auto/DEMO-1", Base: "main", Author: "symphony-bot"})
	prURL := "https://github.com/acme/demo/pull/" + strconv.Itoa(pr.Number)

	handOff := codextest.Step{Tool: "tracker_update_state", ToolArgs: map[string]any{"state_name_or_id": "Human Review"}}
	push := codextest.Step{Tool: "github_push_branch", ToolArgs: map[string]any{}}
	mock := codextest.NewResponses(t,
		codextest.Step{Shell: agentCommit("REVIEW.md", "address the review")}, push, handOff, codextest.Step{Text: "Review addressed."},
		codextest.Step{Shell: agentCommit("CI.md", "fix the failing test")}, push, handOff, codextest.Step{Text: "CI fixed."})
	e.writeConfig(t, mock)
	appendFile(t, e.config, crashConfig)

	svc := &crashService{t: t, e: e}
	defer svc.kill()
	// The run that opened the pull request, as the agent's hand-off leaves it.
	svc.withStore(func(st *store.Store) {
		ctx := context.Background()
		run, err := st.StartRun(ctx, store.Run{RepoKey: "demo", IssueID: "DEMO-1", IssueIdentifier: "DEMO-1", IssueState: "In Progress"})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.RecordPullRequest(ctx, "demo", run.ID, prURL); err != nil {
			t.Fatal(err)
		}
		run.Status = store.StatusSuccess
		if err := st.FinishRun(ctx, run); err != nil {
			t.Fatal(err)
		}
	})
	gh.AddIssueComment("acme/demo", githubtest.IssueComment{Number: pr.Number, Author: "alice", Body: "Please also add REVIEW.md."})
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()

	// The rework, killed after its pending record: the tracker has not moved.
	svc.start(ctx, "rework_transition_pending")
	svc.waitFor("the pending rework", func() bool { return svc.phase("review") == "rework_transition_pending" })
	svc.kill()
	if got := e.issueState(t, "DEMO-1"); got != "Human Review" {
		t.Fatalf("killed before the tracker call, DEMO-1 is %q", got)
	}
	// Killed after the tracker call, before the done record; the pause keeps the scheduler
	// from dispatching in the moment before the kill.
	svc.setPause(true)
	svc.start(ctx, "rework_tracker_updated")
	svc.waitFor("the rework's tracker call", func() bool { return e.issueState(t, "DEMO-1") == "In Progress" })
	svc.kill()
	if got := svc.phase("review"); got != "rework_transition_pending" {
		t.Fatalf("killed before the done record, the review phase is %q", got)
	}
	// The restart finishes the rework; the one rework run pushes and hands back.
	svc.setPause(false)
	svc.start(ctx, "")
	svc.waitFor("the rework run and the reply", func() bool {
		return svc.succeededRuns() == 2 && e.unfinishedRuns(t) == 0 && e.issueState(t, "DEMO-1") == "Human Review" &&
			svc.phase("review") == "watching" && len(gh.IssueComments("acme/demo", pr.Number)) >= 2
	})
	checkStatusShowsThePollers(ctx, t, e)
	svc.kill()

	reworkHead := testenv.GitOutput(t, e.dir+"/origin.git", "rev-parse", "auto/DEMO-1")
	if msg := testenv.GitOutput(t, e.dir+"/origin.git", "log", "-1", "--format=%s", reworkHead); msg != "address the review" {
		t.Fatalf("origin's head after the rework is %q", msg)
	}
	run := gh.AddWorkflowRun("acme/demo", githubtest.WorkflowRun{Name: "ci", HeadSHA: reworkHead, HeadBranch: "auto/DEMO-1", Status: "completed", Conclusion: "failure",
		Jobs: []githubtest.Job{{Name: "test", Status: "completed", Conclusion: "failure", Log: "go test ./...\n--- FAIL: TestSum failed: sum(1,1) = 3, want 2\nFAIL\n"}}})
	gh.AddCheckRun("acme/demo", githubtest.CheckRun{HeadSHA: reworkHead, Name: "test", Status: "completed", Conclusion: "failure", CheckSuiteID: run.CheckSuiteID})

	// The rerun of the failed jobs, killed after its pending record and after GitHub was asked.
	svc.start(ctx, "rerun_transition_pending")
	svc.waitFor("the pending rerun", func() bool { return svc.phase("ci") == "rerun_transition_pending" })
	svc.kill()
	if n := gh.Reruns("acme/demo", run.ID); n != 0 {
		t.Fatalf("killed before asking GitHub, the jobs were rerun %d times", n)
	}
	svc.start(ctx, "rerun_jobs_requested")
	svc.waitFor("the rerun request", func() bool { return gh.Reruns("acme/demo", run.ID) == 1 })
	svc.kill()
	if got := svc.phase("ci"); got != "rerun_transition_pending" {
		t.Fatalf("killed before the rerun's done record, the CI phase is %q", got)
	}
	// The restart finishes the rerun without asking again; the jobs still fail, so the CI
	// fix follows, killed at the same two steps as the rework.
	svc.start(ctx, "ci_fix_transition_pending")
	svc.waitFor("the pending CI fix", func() bool { return svc.phase("ci") == "ci_fix_transition_pending" })
	svc.kill()
	if got := e.issueState(t, "DEMO-1"); got != "Human Review" {
		t.Fatalf("killed before the CI fix's tracker call, DEMO-1 is %q", got)
	}
	if n := gh.Reruns("acme/demo", run.ID); n != 1 {
		t.Fatalf("the restarted service reran the failed jobs again: %d reruns", n)
	}
	svc.setPause(true)
	svc.start(ctx, "ci_fix_tracker_updated")
	svc.waitFor("the CI fix's tracker call", func() bool { return e.issueState(t, "DEMO-1") == "In Progress" })
	svc.kill()
	if got := svc.phase("ci"); got != "ci_fix_transition_pending" {
		t.Fatalf("killed before the CI fix's done record, the CI phase is %q", got)
	}
	svc.setPause(false)
	svc.start(ctx, "")
	svc.waitFor("the fix run", func() bool {
		return svc.succeededRuns() == 3 && e.unfinishedRuns(t) == 0 && e.issueState(t, "DEMO-1") == "Human Review"
	})
	if msg := testenv.GitOutput(t, e.dir+"/origin.git", "log", "-1", "--format=%s", "auto/DEMO-1"); msg != "fix the failing test" {
		t.Errorf("origin's head after the fix is %q", msg)
	}

	// Merged: the workspace and its branch go.
	runs, err := readRuns(e.state)
	if err != nil {
		t.Fatal(err)
	}
	workspace := ""
	for _, r := range runs {
		if r.WorkspacePath != "" {
			workspace = r.WorkspacePath
		}
	}
	if _, err := os.Stat(workspace); err != nil {
		t.Fatalf("the runs' workspace %q: %v", workspace, err)
	}
	gh.UpdatePullRequest("acme/demo", pr.Number, func(p *githubtest.PullRequest) { p.State = githubtest.StateMerged })
	svc.waitFor("the merged pull request's clean-up", func() bool { return svc.phase("review") == "done_merged" })
	svc.kill()
	if _, err := os.Stat(workspace); !os.IsNotExist(err) {
		t.Errorf("the merged pull request's workspace %s is still there: %v", workspace, err)
	}
	if out := testenv.GitOutput(t, e.src, "branch", "--list", "auto/DEMO-1"); out != "" {
		t.Errorf("the primary clone still has the branch Symphony made: %q", out)
	}

	if prompts := firstTurnPrompts(mock); len(prompts) != 2 {
		t.Errorf("%d runs reached the model, want 2 (one rework, one fix)", len(prompts))
	}
	if n := len(runs); n != 3 {
		t.Errorf("%d runs in the store, want 3 (the seed, one rework, one fix)", n)
	}
	if comments := gh.IssueComments("acme/demo", pr.Number); len(comments) != 2 {
		t.Errorf("pull request comments %+v, want the reviewer's and one reply", comments)
	}
	auditCtx, cancelAudit := context.WithTimeout(context.Background(), time.Minute)
	defer cancelAudit()
	auditCmd, aout, aerr := e.command(auditCtx, "audit", "show", "DEMO-1", "--json")
	if err := auditCmd.Run(); err != nil {
		t.Fatalf("symphony audit: %v\n%s", err, aerr)
	}
	if n := gh.Reruns("acme/demo", run.ID); n != 1 {
		t.Errorf("the failed jobs were rerun %d times, want 1", n)
	}
	for kind, want := range map[string]int{"rework_requested": 1, "rerun_requested": 1, "ci_failed": 1, "rework_pushed": 1, "pr_merged": 1, "workspace_removed": 1} {
		if got := strings.Count(aout.String(), fmt.Sprintf("%q", kind)); got != want {
			t.Errorf("the audit log has %d %s records, want %d", got, kind, want)
		}
	}
}

// checkStatusShowsThePollers asks the running service for its status, as text and JSON,
// and finds the pollers' rows of DEMO-1's pull request in both.
func checkStatusShowsThePollers(ctx context.Context, t *testing.T, e *e2eEnv) {
	t.Helper()
	cmd, out, errOut := e.command(ctx, "status", "--json")
	if err := cmd.Run(); err != nil {
		t.Fatalf("symphony status --json: %v\n%s", err, errOut)
	}
	var st server.State
	if err := json.Unmarshal(out.Bytes(), &st); err != nil {
		t.Fatalf("symphony status --json: %v\n%s", err, out)
	}
	pollers := map[string]string{}
	for _, p := range st.PullRequests {
		if p.Identifier == "DEMO-1" {
			pollers[p.Poller] = p.Phase
		}
	}
	if pollers["review"] != "watching" || pollers["ci"] == "" || st.Counts.PullRequests != 2 {
		t.Errorf("status --json pull requests %+v", st.PullRequests)
	}
	cmd, out, errOut = e.command(ctx, "status")
	if err := cmd.Run(); err != nil {
		t.Fatalf("symphony status: %v\n%s", err, errOut)
	}
	if !strings.Contains(out.String(), "Pull requests (2)") || !strings.Contains(out.String(), "DEMO-1  review") {
		t.Errorf("symphony status does not show the pollers:\n%s", out)
	}
}
