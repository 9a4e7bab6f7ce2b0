package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/testenv"
)

// TestAgentHandsOffThroughScopedToolsWithRealCodex drives the real codex binary through a
// hand-off made only with the session's tracker tools: the model reads its issue, commits,
// comments and moves the issue to review. The run then ends as a success after one attempt
// and no second session starts.
func TestAgentHandsOffThroughScopedToolsWithRealCodex(t *testing.T) {
	e := newE2E(t, "DEMO-1")
	mock := codextest.NewResponses(t,
		codextest.Step{Tool: "tracker_get_current_issue", ToolArgs: map[string]any{}},
		codextest.Step{Shell: agentCommit("WORK.md", "work on DEMO-1")},
		codextest.Step{Tool: "tracker_add_comment", ToolArgs: map[string]any{"body": "Ready for review on auto/DEMO-1."}},
		// c1 is the workpad Symphony opened before the first turn; the agent may keep it current.
		codextest.Step{Tool: "tracker_update_comment", ToolArgs: map[string]any{"comment_id": "c1", "body": "## Codex Workpad\n\nWork committed on auto/DEMO-1."}},
		codextest.Step{Tool: "tracker_update_state", ToolArgs: map[string]any{"state_name_or_id": "Human Review"}},
		codextest.Step{Text: "DEMO-1 is ready for review."})
	e.writeConfig(t, mock)

	e.serveUntilIssueIn(t, mock, "DEMO-1", "Human Review")

	all := modelToolOutputs(mock)
	for _, want := range []string{`"identifier": "DEMO-1"`, `<linear_issue_title>`, `"body_length": 32`, `"state": "Human Review"`} {
		if !strings.Contains(all, want) {
			t.Errorf("tool outputs lack %s:\n%s", want, all)
		}
	}
	comments, err := os.ReadFile(filepath.Join(e.issues, "DEMO-1.comments.md"))
	if err != nil || !strings.Contains(string(comments), "Ready for review on auto/DEMO-1.") || !strings.Contains(string(comments), "Work committed on auto/DEMO-1.") {
		t.Errorf("the comment did not reach the issue's comments file (%v):\n%s", err, comments)
	}
	if msg := testenv.GitOutput(t, e.src, "log", "-1", "--format=%s", "auto/DEMO-1"); msg != "work on DEMO-1" {
		t.Errorf("branch auto/DEMO-1 head %q, want the agent's commit", msg)
	}

	st, err := store.Open(context.Background(), store.Options{StateRoot: e.state, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(context.Background(), store.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Status != store.StatusSuccess {
		t.Fatalf("runs = %+v, want exactly one successful run", runs)
	}
	if runs[0].ToolCalls != 4 || runs[0].ToolFailures != 0 {
		t.Errorf("the run record counts %d tool calls and %d failures, want 4 and 0", runs[0].ToolCalls, runs[0].ToolFailures)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	show, sout, serr := e.command(ctx, "audit", "show", "DEMO-1", "--json")
	if err := show.Run(); err != nil {
		t.Fatalf("audit show: %v\n%s", err, serr)
	}
	if got := strings.Count(sout.String(), `"tool_call"`); got != 4 {
		t.Errorf("audit has %d tool_call records, want one per tool call (4):\n%s", got, sout)
	}
}

// serveUntilIssueIn runs the service, as serveUntilHandOff does, until the local tracker has
// issue id in state.
func (e *e2eEnv) serveUntilIssueIn(t *testing.T, mock *codextest.Responses, id, state string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e.serveUntilHandOff(t, ctx, mock, func() (bool, string) {
		now := e.issueState(t, id)
		return now == state, id + " is in " + now
	})
}

// serveUntilHandOff runs the service until handedOff says the issue was handed off and no run
// is unfinished, keeps it running for three poll intervals (poll_interval_ms is 2000), and
// stops it with SIGTERM. It fails when the model got a request after the hand-off, which
// means a new session started.
func (e *e2eEnv) serveUntilHandOff(t *testing.T, ctx context.Context, mock *codextest.Responses, handedOff func() (bool, string)) (stdout, stderr *bytes.Buffer) {
	t.Helper()
	cmd, stdout, stderr := e.command(ctx)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(150 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		done, where := handedOff()
		if done && e.unfinishedRuns(t) == 0 {
			break
		}
		if time.Now().After(deadline) {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			cmd.Wait()
			t.Fatalf("not handed off: %s\nstdout:\n%s\nstderr:\n%s", where, stdout, stderr)
		}
	}
	requestsAtHandOff := len(mock.Requests())
	time.Sleep(6 * time.Second)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("symphony did not exit cleanly: %v\nstderr:\n%s", err, stderr)
	}
	if n := len(mock.Requests()); n != requestsAtHandOff {
		t.Errorf("the model got %d more requests after the hand-off: a new session started", n-requestsAtHandOff)
	}
	return stdout, stderr
}

// checkTrackerHandOff checks what every tracker's hand-off end-to-end test shows besides the
// tracker's own record: the scoped tools answered with the issue, its text and its move; the
// tracker's token (named by tracker, as the tool outputs name it) never reached the model or
// the service's output; and the agent's commit is on its branch.
func checkTrackerHandOff(t *testing.T, e *e2eEnv, mock *codextest.Responses, id, tracker, token, output string) {
	t.Helper()
	all := modelToolOutputs(mock)
	for _, want := range []string{`"identifier": "` + id + `"`, "Write WORK.md.", tracker + " token: []", `"state": "In Review"`} {
		if !strings.Contains(all, want) {
			t.Errorf("tool outputs lack %s:\n%s", want, all)
		}
	}
	for _, r := range mock.Requests() {
		for _, in := range r.Input {
			if strings.Contains(string(in), token) {
				t.Errorf("the %s token reached the model: %s", tracker, in)
			}
		}
	}
	if msg := testenv.GitOutput(t, e.src, "log", "-1", "--format=%s", "auto/"+id); msg != "work on "+id {
		t.Errorf("branch auto/%s head %q, want the agent's commit", id, msg)
	}
	if strings.Contains(output, token) {
		t.Errorf("symphony printed the %s token", tracker)
	}
}
