package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/github/githubtest"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/testenv"
)

// prWatchConfig turns on both pull-request pollers with a one-second interval, no rework
// cooldown and no rerun, so each step of the test is one poll away.
const prWatchConfig = `pull_requests:
  enabled: true
  poll_interval_ms: 1000
  review_state: Human Review
  merge_state: Merging
  review_comments: {rework_delay_minutes: 0}
  checks: {enabled: true, retry_failed_once: false, log_excerpt_lines: 20}
`

// TestPollersSendThePullRequestBackForReviewAndCIWithRealCodex runs the service with the
// real codex against the mock model, the fake GitHub, a bare origin and the local tracker:
// the agent opens a pull request; a reviewer comment sends the issue back and the rework run,
// whose prompt carries the comment, pushes; failing CI sends it back again and the fix run,
// whose prompt carries the failing check and its log, pushes; green CI and an approval move
// the issue to the merge state. Every run and poller step is in the runs list and the audit log.
func TestPollersSendThePullRequestBackForReviewAndCIWithRealCodex(t *testing.T) {
	e := newE2E(t, "DEMO-1")
	gh := e.useGitHubOrigin(t)
	handOff := codextest.Step{Tool: "tracker_update_state", ToolArgs: map[string]any{"state_name_or_id": "Human Review"}}
	push := codextest.Step{Tool: "github_push_branch", ToolArgs: map[string]any{}}
	mock := codextest.NewResponses(t,
		codextest.Step{Shell: agentCommit("WORK.md", "work on DEMO-1")}, push,
		codextest.Step{Tool: "github_create_pull_request", ToolArgs: map[string]any{"title": "DEMO-1: add WORK.md", "body": "Closes DEMO-1."}},
		handOff, codextest.Step{Text: "DEMO-1 is in review."},
		codextest.Step{Shell: agentCommit("REVIEW.md", "address the review")}, push, handOff, codextest.Step{Text: "Review addressed."},
		codextest.Step{Shell: agentCommit("CI.md", "fix the failing test")}, push, handOff, codextest.Step{Text: "CI fixed."})
	e.writeConfig(t, mock)
	appendFile(t, e.config, prWatchConfig)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd, stdout, stderr := e.command(ctx)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	running := true
	stop := func() {
		if running {
			running = false
			syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			<-exited
		}
	}
	defer stop()
	waitFor := func(what string, done func() bool) {
		t.Helper()
		for deadline := time.Now().Add(150 * time.Second); !done(); {
			select {
			case err := <-exited:
				running = false
				t.Fatalf("symphony exited (%v) while waiting for %s\nstdout:\n%s\nstderr:\n%s", err, what, stdout, stderr)
			case <-time.After(200 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				stop()
				t.Fatalf("timed out waiting for %s (DEMO-1 is %q)\nstdout:\n%s\nstderr:\n%s", what, e.issueState(t, "DEMO-1"), stdout, stderr)
			}
		}
	}
	finishedRuns := func(n int) func() bool {
		return func() bool {
			runs, err := readRuns(e.state)
			succeeded := 0
			for _, r := range runs {
				if r.Status == store.StatusSuccess {
					succeeded++
				}
			}
			return err == nil && succeeded == n && e.unfinishedRuns(t) == 0 && e.issueState(t, "DEMO-1") == "Human Review"
		}
	}

	waitFor("the pull request", finishedRuns(1))
	prs := gh.PullRequests("acme/demo")
	if len(prs) != 1 {
		t.Fatalf("pull requests %+v, want one", prs)
	}
	number := prs[0].Number
	prURL := "https://github.com/acme/demo/pull/" + strconv.Itoa(number)
	firstHead := testenv.GitOutput(t, e.dir+"/origin.git", "rev-parse", "auto/DEMO-1")

	gh.AddIssueComment("acme/demo", githubtest.IssueComment{Number: number, Author: "alice", Body: "Please also document the change in REVIEW.md."})
	waitFor("the rework run", finishedRuns(2))
	reworkHead := testenv.GitOutput(t, e.dir+"/origin.git", "rev-parse", "auto/DEMO-1")
	if reworkHead == firstHead {
		t.Fatal("the rework run did not push")
	}
	if msg := testenv.GitOutput(t, e.dir+"/origin.git", "log", "-1", "--format=%s", reworkHead); msg != "address the review" {
		t.Errorf("origin's head after the rework is %q", msg)
	}

	run := gh.AddWorkflowRun("acme/demo", githubtest.WorkflowRun{Name: "ci", HeadSHA: reworkHead, HeadBranch: "auto/DEMO-1", Status: "completed", Conclusion: "failure",
		Jobs: []githubtest.Job{{Name: "test", Status: "completed", Conclusion: "failure", Log: "go test ./...\n--- FAIL: TestSum failed: sum(1,1) = 3, want 2\nFAIL\n"}}})
	gh.AddCheckRun("acme/demo", githubtest.CheckRun{HeadSHA: reworkHead, Name: "test", Status: "completed", Conclusion: "failure", CheckSuiteID: run.CheckSuiteID})
	waitFor("the CI fix run", finishedRuns(3))
	fixHead := testenv.GitOutput(t, e.dir+"/origin.git", "rev-parse", "auto/DEMO-1")
	if msg := testenv.GitOutput(t, e.dir+"/origin.git", "log", "-1", "--format=%s", fixHead); msg != "fix the failing test" {
		t.Errorf("origin's head after the fix is %q", msg)
	}

	gh.AddCheckRun("acme/demo", githubtest.CheckRun{HeadSHA: fixHead, Name: "test", Status: "completed", Conclusion: "success"})
	gh.AddReview("acme/demo", githubtest.Review{Number: number, Author: "bob", State: "APPROVED", Body: "LGTM"})
	waitFor("the merge state", func() bool { return e.issueState(t, "DEMO-1") == "Merging" })
	stop()

	prompts := firstTurnPrompts(mock)
	if len(prompts) != 3 {
		t.Fatalf("%d first-turn prompts, want 3 (issue, rework, CI fix)", len(prompts))
	}
	if !strings.Contains(prompts[1], "Review comments to resolve") || !strings.Contains(prompts[1], "Please also document the change in REVIEW.md.") {
		t.Errorf("the rework prompt lacks the reviewer comment:\n%s", prompts[1])
	}
	if !strings.Contains(prompts[2], "sum(1,1) = 3, want 2") || !strings.Contains(prompts[2], reworkHead) {
		t.Errorf("the CI fix prompt lacks the failing check's log or commit:\n%s", prompts[2])
	}
	if strings.Contains(prompts[2], "Please also document") {
		t.Errorf("the CI fix prompt repeats the addressed review comment")
	}

	listCtx, cancelList := context.WithTimeout(context.Background(), time.Minute)
	defer cancelList()
	list, out, errOut := e.command(listCtx, "runs")
	if err := list.Run(); err != nil || strings.Count(out.String(), "DEMO-1") < 3 || !strings.Contains(out.String(), prURL) {
		t.Errorf("symphony runs does not list the DEMO-1 runs with %s (%v):\n%s%s", prURL, err, out, errOut)
	}
	auditCmd, aout, aerr := e.command(listCtx, "audit", "show", "DEMO-1", "--json")
	if err := auditCmd.Run(); err != nil {
		t.Fatalf("symphony audit: %v\n%s", err, aerr)
	}
	for _, want := range []string{"rework_requested", "rework_pushed", "ci_failed", "merge_requested"} {
		if !strings.Contains(aout.String(), fmt.Sprintf("%q", want)) {
			t.Errorf("the audit log has no %s record", want)
		}
	}
}

// firstTurnPrompts returns the user prompt of each session's first request, in order.
func firstTurnPrompts(mock *codextest.Responses) []string {
	var out []string
	for _, r := range mock.Requests() {
		if len(r.ToolOutputs) > 0 {
			continue
		}
		text, _ := json.Marshal(r.Input)
		out = append(out, string(text))
	}
	return out
}
