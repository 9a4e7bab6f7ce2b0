package codex

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
)

// requestText is every input item of a model request as one string.
func requestText(r codextest.Request) string {
	var b strings.Builder
	for _, in := range r.Input {
		b.Write(in)
		b.WriteByte('\n')
	}
	return b.String()
}

// A kept thread is continued by a later session with its own fresh home: the first model
// request of the resumed turn carries the earlier prompt and answer, and the dynamic tools are
// still offered.
func TestRealCodexResumesAKeptThread(t *testing.T) {
	tools := &echoTools{}
	asking := newRealSession(t, func(o *Options) { o.Tools = tools }, codextest.Step{Text: "Which port should the server use?"})
	if _, err := asking.RunTurn(context.Background(), "Start the server on the agreed port."); err != nil {
		t.Fatalf("asking turn: %v", err)
	}
	kept, err := asking.KeepThread(t.TempDir())
	if err != nil {
		t.Fatalf("KeepThread: %v", err)
	}
	if kept.ThreadID != asking.ThreadID() {
		t.Fatalf("kept thread %q, the session's is %q", kept.ThreadID, asking.ThreadID())
	}
	if err := asking.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}

	resumed := newRealSession(t, func(o *Options) { o.Tools, o.Resume = tools, &kept }, codextest.Step{Text: "Started on 8080."})
	if err := resumed.ResumeErr(); err != nil {
		t.Fatalf("resume failed: %v", err)
	}
	if resumed.ThreadID() != kept.ThreadID {
		t.Fatalf("resumed session runs thread %q, want %q", resumed.ThreadID(), kept.ThreadID)
	}
	res, err := resumed.RunTurn(context.Background(), "Use 8080.")
	if err != nil || res.LastMessage != "Started on 8080." {
		t.Fatalf("resumed turn: %+v, %v", res, err)
	}
	reqs := resumed.mock.Requests()
	if len(reqs) == 0 {
		t.Fatal("the resumed turn sent no model request")
	}
	text := requestText(reqs[0])
	for _, want := range []string{"Start the server on the agreed port.", "Which port should the server use?", "Use 8080."} {
		if !strings.Contains(text, want) {
			t.Errorf("the resumed turn's request lacks %q:\n%s", want, text)
		}
	}
	if !slices.Contains(reqs[0].Tools, "echo") {
		t.Errorf("the resumed thread offers tools %v, want the dynamic tool echo", reqs[0].Tools)
	}
}

// A kept thread that cannot be resumed (its rollout is gone) gives a new thread, and
// ResumeErr says why.
func TestRealCodexStartsANewThreadWhenTheKeptOneIsGone(t *testing.T) {
	gone := agent.KeptThread{ThreadID: "019a0000-0000-7000-8000-000000000000", Dir: t.TempDir()}
	tools := &echoTools{}
	s := newRealSession(t, func(o *Options) { o.Tools, o.Resume = tools, &gone }, codextest.Step{Text: "fresh"})
	if err := s.ResumeErr(); err == nil || !strings.Contains(err.Error(), "no rollout") {
		t.Fatalf("ResumeErr = %v, want the missing rollout named", err)
	}
	if id := s.ThreadID(); id == "" || id == gone.ThreadID {
		t.Fatalf("thread %q, want a new one", id)
	}
	if _, err := s.RunTurn(context.Background(), "Go."); err != nil {
		t.Fatal(err)
	}
	reqs := s.mock.Requests()
	if len(reqs) == 0 || !slices.Contains(reqs[0].Tools, "echo") {
		t.Fatalf("the new thread's request %+v lacks the dynamic tools", reqs)
	}
	if text := requestText(reqs[0]); strings.Contains(text, "Which port") {
		t.Errorf("the new thread carries an old conversation: %s", text)
	}
}

// A thread whose turn ended because Codex asked for user input itself is kept and resumed the
// same way: the resumed turn's request carries Codex's question.
func TestRealCodexResumesAThreadThatAskedThroughRequestUserInput(t *testing.T) {
	enable := func(o *Options) { o.ConfigOverrides = []string{"features.default_mode_request_user_input=true"} }
	asking := newRealSession(t, enable, codextest.Step{Tool: "request_user_input", ToolArgs: map[string]any{"questions": []any{map[string]any{
		"id": "port", "header": "Port", "question": "Which port should the server use?",
		"options": []any{map[string]any{"label": "8080", "description": "the default"}, map[string]any{"label": "9090", "description": "the spare"}},
	}}}})
	if _, err := asking.RunTurn(context.Background(), "Start the server."); agent.CodeOf(err) != agent.CodeTurnInputRequired {
		t.Fatalf("asking turn = %v, want turn_input_required", err)
	}
	kept, err := asking.KeepThread(t.TempDir())
	if err != nil {
		t.Fatalf("KeepThread: %v", err)
	}
	if err := asking.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	resumed := newRealSession(t, func(o *Options) { enable(o); o.Resume = &kept }, codextest.Step{Text: "Started on 8080."})
	if err := resumed.ResumeErr(); err != nil {
		t.Fatalf("resume failed: %v", err)
	}
	if _, err := resumed.RunTurn(context.Background(), "Use 8080."); err != nil {
		t.Fatal(err)
	}
	reqs := resumed.mock.Requests()
	if len(reqs) == 0 || !strings.Contains(requestText(reqs[0]), "Which port should the server use?") {
		t.Fatalf("the resumed turn's request does not carry Codex's question: %+v", reqs)
	}
}
