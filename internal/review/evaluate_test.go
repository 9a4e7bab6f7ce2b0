package review

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// scriptedReviewer hands out sessions that answer turns from a script: one list of replies per
// session, in order. A reply starting with "ERR:" fails the turn.
type scriptedReviewer struct {
	sessions [][]string
	startErr error
	started  int
	prompts  []string
	closed   int
}

type scriptedSession struct {
	r       *scriptedReviewer
	replies []string
}

func (r *scriptedReviewer) newSession(context.Context) (Session, error) {
	if r.startErr != nil {
		return nil, r.startErr
	}
	if r.started >= len(r.sessions) {
		return nil, errors.New("script has no more sessions")
	}
	r.started++
	return &scriptedSession{r: r, replies: r.sessions[r.started-1]}, nil
}

func (s *scriptedSession) RunTurn(_ context.Context, prompt string) (string, error) {
	s.r.prompts = append(s.r.prompts, prompt)
	if len(s.replies) == 0 {
		return "", errors.New("script has no more replies")
	}
	reply := s.replies[0]
	s.replies = s.replies[1:]
	if msg, ok := strings.CutPrefix(reply, "ERR:"); ok {
		return "", errors.New(msg)
	}
	return reply, nil
}

func (s *scriptedSession) Close() { s.r.closed++ }

const (
	approveReply = `{"verdict": "approve", "findings": []}`
	groundedRC   = "```json\n" + `{"verdict": "request_changes", "findings": [{"summary": "retries have no backoff", "file": "upload/send.go",
		"line_range": [4, 6], "quoted_snippet": "for i := 0; i < 3; i++ {\n\tif err := post(data); err == nil {", "suggested_fix": "sleep between tries"}]}` + "\n```"
	ungroundedRC = `{"verdict": "request_changes", "findings": [{"summary": "off by one", "file": "upload/send.go",
		"line_range": [4, 4], "quoted_snippet": "for i := 0; i <= 3; i++ {"}]}`
	groundedBlock = `Verdict: {"verdict": "block", "reason": "deletes user data", "findings": [{"summary": "wipes the bucket",
		"file": "upload/send.go", "line_range": [9, 9], "quoted_snippet": "return errRetries"}]}`
	mixedRC = `{"verdict": "request_changes", "findings": [
		{"summary": "made up", "file": "upload/send.go", "line_range": [2, 2], "quoted_snippet": "panic(\"never here\")"},
		{"summary": "real", "file": "upload/send.go", "line_range": [9, 9], "quoted_snippet": "+\treturn errRetries"}]}`
)

func evidence(t *testing.T) Evidence {
	t.Helper()
	ws := t.TempDir()
	os.MkdirAll(filepath.Join(ws, "upload"), 0o755)
	if err := os.WriteFile(filepath.Join(ws, "upload", "send.go"), []byte(groundFile), 0o644); err != nil {
		t.Fatal(err)
	}
	return Evidence{Workspace: ws, Diff: groundDiff}
}

func TestEvaluate(t *testing.T) {
	cases := []struct {
		name         string
		sessions     [][]string
		startErr     error
		kind         Kind
		forced       bool
		comments     []string
		reason       string
		wantSessions int
		wantTurns    int
	}{
		{name: "approve", sessions: [][]string{{approveReply}}, kind: Approved, wantSessions: 1, wantTurns: 1},
		{name: "grounded request_changes after self-check", sessions: [][]string{{groundedRC, groundedRC}}, kind: ChangesWanted,
			comments: []string{"upload/send.go:4-6: retries have no backoff Suggested fix: sleep between tries"}, wantSessions: 1, wantTurns: 2},
		{name: "grounded block", sessions: [][]string{{groundedBlock, groundedBlock}}, kind: Blocked, reason: "deletes user data",
			comments: []string{"upload/send.go:9-9: wipes the bucket"}, wantSessions: 1, wantTurns: 2},
		{name: "self-check retracts everything", sessions: [][]string{{ungroundedRC, approveReply}}, kind: Approved, wantSessions: 1, wantTurns: 2},
		{name: "only grounded findings are kept", sessions: [][]string{{mixedRC, mixedRC}}, kind: ChangesWanted,
			comments: []string{"upload/send.go:9-9: real"}, wantSessions: 1, wantTurns: 2},
		{name: "unverifiable twice is downgraded", sessions: [][]string{{ungroundedRC, ungroundedRC}, {ungroundedRC, ungroundedRC}},
			kind: ChangesWanted, forced: true, reason: CodeUnverifiable + ": no finding quotes code found at its file and lines",
			comments: []string{"reviewer did not converge: " + CodeUnverifiable + ": no finding quotes code found at its file and lines",
				"[unverified] upload/send.go:4-4: off by one"}, wantSessions: 2, wantTurns: 4},
		{name: "malformed then a fresh session approves", sessions: [][]string{{"I think it is fine."}, {approveReply}},
			kind: Approved, wantSessions: 2, wantTurns: 2},
		{name: "malformed self-check twice is downgraded", sessions: [][]string{{groundedRC, `{"verdict": "maybe"}`}, {groundedRC, "no json"}},
			kind: ChangesWanted, forced: true, reason: "self-check: " + CodeMalformed + `: no JSON object in the reply "no json"`,
			comments:     []string{"reviewer did not converge: self-check: " + CodeMalformed + `: no JSON object in the reply "no json"`},
			wantSessions: 2, wantTurns: 4},
		{name: "session fails to start", startErr: errors.New("no codex"), kind: Failed},
		{name: "turn fails", sessions: [][]string{{"ERR:turn_timeout"}}, kind: Failed, wantSessions: 1, wantTurns: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &scriptedReviewer{sessions: tc.sessions, startErr: tc.startErr}
			o := Evaluate(context.Background(), r.newSession, "REVIEW", evidence(t))
			if o.Kind != tc.kind || o.Forced != tc.forced || o.Reason != tc.reason || strings.Join(o.Comments, "|") != strings.Join(tc.comments, "|") {
				t.Fatalf("outcome %+v\nwant kind %s forced %v reason %q comments %q", o, tc.kind, tc.forced, tc.reason, tc.comments)
			}
			if r.started != tc.wantSessions || len(r.prompts) != tc.wantTurns || r.closed != r.started {
				t.Fatalf("sessions %d (closed %d) turns %d, want %d sessions %d turns", r.started, r.closed, len(r.prompts), tc.wantSessions, tc.wantTurns)
			}
			if tc.kind == Failed && o.Err == nil {
				t.Fatal("a failed outcome carries no error")
			}
			for i, p := range r.prompts {
				if p != "REVIEW" && p != SelfCheckPrompt {
					t.Fatalf("turn %d prompt %q", i+1, p)
				}
			}
		})
	}
}

func TestParseResponseRefusesBadShapes(t *testing.T) {
	cases := map[string]string{
		"no json":            "looks good",
		"unknown verdict":    `{"verdict": "lgtm"}`,
		"block no reason":    `{"verdict": "block", "findings": [{"summary": "s", "file": "a.go", "line_range": [1, 1], "quoted_snippet": "x := 1"}]}`,
		"changes no finding": `{"verdict": "request_changes", "findings": []}`,
		"finding no file":    `{"verdict": "request_changes", "findings": [{"summary": "s", "line_range": [1, 1], "quoted_snippet": "x := 1"}]}`,
		"range reversed":     `{"verdict": "request_changes", "findings": [{"summary": "s", "file": "a.go", "line_range": [5, 2], "quoted_snippet": "x := 1"}]}`,
		"range zero":         `{"verdict": "request_changes", "findings": [{"summary": "s", "file": "a.go", "line_range": [0, 2], "quoted_snippet": "x := 1"}]}`,
		"no quote":           `{"verdict": "request_changes", "findings": [{"summary": "s", "file": "a.go", "line_range": [1, 2], "quoted_snippet": " "}]}`,
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseResponse(text)
			var m *MalformedError
			if !errors.As(err, &m) {
				t.Fatalf("err = %v, want a MalformedError", err)
			}
		})
	}
	if r, err := ParseResponse(approveReply); err != nil || r.Verdict != Approve {
		t.Fatalf("approve: %+v %v", r, err)
	}
}
