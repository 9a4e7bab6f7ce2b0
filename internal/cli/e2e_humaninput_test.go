package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/server"
	"github.com/symphony-go/symphony/internal/store"
)

// TestAgentAsksAHumanAndResumesOnTheReplyWithRealCodex drives the real codex through a
// question: the model calls request_human_input, the issue waits in Needs Input with no new
// session for three poll intervals, a person replies in the issue's comments file, and the
// next attempt starts with the reply inside the boundary tags and completes the work. That
// attempt continues the Codex thread that asked: its first request to the model carries the
// asking turn's conversation, and the audit log records the resume.
func TestAgentAsksAHumanAndResumesOnTheReplyWithRealCodex(t *testing.T) {
	e := newE2E(t, "DEMO-1")
	question := "Which port should the server use?"
	mock := codextest.NewResponses(t,
		codextest.Step{Tool: "request_human_input", ToolArgs: map[string]any{"question": question}},
		codextest.Step{Text: "Waiting for an answer."},
		codextest.Step{Shell: agentCommit("PORT.md", "use the port from the answer")},
		codextest.Step{Tool: "tracker_update_state", ToolArgs: map[string]any{"state_name_or_id": "Human Review"}},
		codextest.Step{Text: "DEMO-1 is ready for review."})
	e.writeConfig(t, mock)
	cfg, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	cfg = []byte(strings.Replace(string(cfg), "  limits: {max_turns: 3}\n", "  limits: {max_turns: 3}\n  human_input: {resume_on_reply: true}\n", 1))
	if err := os.WriteFile(e.config, cfg, 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd, stdout, stderr := e.command(ctx)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	}()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(150 * time.Second); !cond(); time.Sleep(200 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s\nstdout:\n%s\nstderr:\n%s", what, stdout, stderr)
			}
		}
	}
	waitFor("the question", func() bool { return e.issueState(t, "DEMO-1") == "Needs Input" && e.unfinishedRuns(t) == 0 })
	comments := filepath.Join(e.issues, "DEMO-1.comments.md")
	if text, _ := os.ReadFile(comments); !strings.Contains(string(text), "<!-- symphony:human-input -->") || !strings.Contains(string(text), question) {
		t.Fatalf("the question is not on the issue:\n%s", text)
	}
	status := func() server.State {
		t.Helper()
		sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
		defer scancel()
		c, out, errOut := e.command(sctx, "status", "--json")
		if err := c.Run(); err != nil {
			t.Fatalf("status: %v\n%s", err, errOut)
		}
		var st server.State
		if err := json.Unmarshal(out.Bytes(), &st); err != nil {
			t.Fatalf("status --json: %v\n%s", err, out)
		}
		return st
	}
	if st := status(); len(st.AwaitingInput) != 1 || st.AwaitingInput[0].IssueIdentifier != "DEMO-1" || st.AwaitingInput[0].Question != question {
		t.Fatalf("status awaiting_input = %+v", st.AwaitingInput)
	}
	asked := len(mock.Requests())
	time.Sleep(7 * time.Second) // three poll intervals of 2 s, and some
	if n := len(mock.Requests()); n != asked {
		t.Fatalf("the model got %d requests while the issue waited for an answer", n-asked)
	}

	reply := "<!-- symphony comment author=\"dana\" -->\nUse port 8080.\n"
	appendFile(t, comments, reply)

	waitFor("the hand-off after the reply", func() bool {
		return e.issueState(t, "DEMO-1") == "Human Review" && e.unfinishedRuns(t) == 0
	})
	var prompt, conversation string
	for _, r := range mock.Requests()[asked:] {
		for _, in := range r.Input {
			if prompt == "" && strings.Contains(string(in), "The answer to your question") {
				prompt = string(in)
				for _, item := range r.Input {
					conversation += string(item) + "\n"
				}
			}
		}
	}
	if prompt == "" {
		t.Fatal("no request after the reply carried the answer")
	}
	if !strings.Contains(conversation, "Waiting for an answer.") || !strings.Contains(conversation, "request_human_input") {
		t.Errorf("the first request after the reply does not continue the thread that asked:\n%s", conversation)
	}
	// prompt is the raw JSON input item, so its newlines are escaped.
	for _, want := range []string{question, "<linear_issue_comment_body>\\nUse port 8080.\\n</linear_issue_comment_body>"} {
		if !strings.Contains(prompt, want) {
			t.Errorf("the prompt after the reply lacks %q:\n%s", want, prompt)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("symphony did not exit cleanly: %v\nstderr:\n%s", err, stderr)
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
	if len(runs) != 2 || runs[1].Status != store.StatusAwaitingInput || runs[0].Status != store.StatusSuccess {
		t.Fatalf("runs = %+v, want one awaiting_input run then one success", runs)
	}
	recs, err := audit.Query(audit.QueryOptions{Dir: audit.Dir(e.state), Issue: "DEMO-1"})
	if err != nil {
		t.Fatal(err)
	}
	var resumes []map[string]any
	for _, r := range recs {
		if r.EventType == audit.EventThreadResume {
			resumes = append(resumes, r.Details)
		}
	}
	if len(resumes) != 1 || resumes[0]["resumed"] != true || resumes[0]["thread_id"] == "" {
		t.Errorf("thread_resume records %v, want one that resumed", resumes)
	}
	if kept, _ := os.ReadDir(filepath.Join(e.state, "threads")); len(kept) != 0 {
		t.Errorf("kept conversations left behind after the resume: %v", kept)
	}
}
