package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/review"
	"github.com/symphony-go/symphony/internal/testenv"
)

// TestServeReviewsBeforePushWithRealCodex runs the real codex as executor and as pre-push
// reviewer against one scripted model: the reviewer requests a change to the first commit,
// the executor fixes it, the reviewer approves, and only then does the executor push and
// hand the issue off.
func TestServeReviewsBeforePushWithRealCodex(t *testing.T) {
	e := newE2E(t, "DEMO-1")
	origin := filepath.Join(e.dir, "origin.git")
	commit := func(content string) string {
		return `printf '` + content + `\n' > limits.txt && git add limits.txt && ` +
			`git -c user.name=agent -c user.email=agent@example.invalid commit -qm "set limits"`
	}
	finding := `{"verdict": "request_changes", "findings": [{"summary": "the retry limit is hard-coded", "file": "limits.txt",
		"line_range": [1, 1], "quoted_snippet": "retry_limit = 3", "suggested_fix": "read it from RETRY_LIMIT"}]}`
	pushAndHandOff := `id=$(basename "$PWD") && git push -q origin "HEAD:refs/heads/auto/$id" && ` +
		`sed -i 's/^state: .*/state: Human Review/' ` + e.issues + `/"$id".md`
	mock := codextest.NewResponses(t,
		// Executor turn 1: commit, then stop before push.
		codextest.Step{Shell: commit("retry_limit = 3")}, codextest.Step{Text: "Committed; waiting for the review."},
		// Reviewer, first commit: request a change, and keep it through the self-check.
		codextest.Step{Text: finding}, codextest.Step{Text: "```json\n" + finding + "\n```"},
		// Executor turn 2: fix and commit again.
		codextest.Step{Shell: commit("retry_limit = ${RETRY_LIMIT:-3}")}, codextest.Step{Text: "Fixed; waiting for the review."},
		// Reviewer, second commit: approve.
		codextest.Step{Text: `{"verdict": "approve", "findings": []}`},
		// Executor turn 3: push and hand off.
		codextest.Step{Shell: pushAndHandOff}, codextest.Step{Text: "Pushed and handed off."},
	)
	e.writeConfig(t, mock)
	raw, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	cfg := string(raw)
	var command string
	for _, line := range strings.Split(cfg, "\n") {
		if v, ok := strings.CutPrefix(line, "  command: "); ok {
			command = v
		}
	}
	cfg = strings.Replace(cfg, "writableRoots: [", fmt.Sprintf("writableRoots: [%q, ", origin), 1)
	cfg = strings.Replace(cfg, "limits: {max_turns: 3}", "limits: {max_turns: 4}", 1)
	cfg += "pre_push_review: {enabled: true, runtime: codex, command: " + command + ", max_iterations: 1}\n"
	if command == "" || !strings.Contains(cfg, origin) {
		t.Fatalf("could not derive the reviewer's configuration from:\n%s", cfg)
	}
	if err := os.WriteFile(e.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	cmd, stdout, stderr := e.command(ctx)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	}()
	deadline := time.Now().Add(300 * time.Second)
	for e.issueState(t, "DEMO-1") != "Human Review" || e.unfinishedRuns(t) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("DEMO-1 not handed off (state %q)\nstdout:\n%s\nstderr:\n%s", e.issueState(t, "DEMO-1"), stdout, stderr)
		}
		time.Sleep(200 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()

	if got := testenv.GitOutput(t, origin, "show", "auto/DEMO-1:limits.txt"); got != "retry_limit = ${RETRY_LIMIT:-3}" {
		t.Errorf("pushed limits.txt %q, want the reviewed fix", got)
	}
	reqs := mock.Requests()
	// The last reply may go unasked: a reconciliation tick that sees the hand-off first stops
	// the executor before it reports back.
	if len(reqs) < 8 {
		t.Fatalf("the model saw %d requests, want 8 or 9 (3 executor turns, 3 reviewer turns)", len(reqs))
	}
	input := func(i int) string {
		var b strings.Builder
		for _, in := range reqs[i].Input {
			b.Write(in)
		}
		return b.String()
	}
	checks := []struct {
		request int
		want    string
	}{
		{0, "Review-agent gate"},
		{2, `+retry_limit = 3`},
		{3, "paste the exact lines into quoted_snippet"},
		{4, "1. limits.txt:1-1: the retry limit is hard-coded Suggested fix: read it from RETRY_LIMIT"},
		{6, `+retry_limit = ${RETRY_LIMIT:-3}`},
		{7, "Reviewer agent approved the committed diff"},
	}
	for _, c := range checks {
		if !strings.Contains(input(c.request), c.want) {
			t.Errorf("model request %d lacks %q", c.request+1, c.want)
		}
	}
	if strings.Contains(input(2), "Review-agent gate") || strings.Contains(input(2), review.ApprovalPrompt) {
		t.Error("the reviewer was given the executor's instructions")
	}
	if !strings.Contains(stdout.String()+stderr.String(), "reviewer_tokens") {
		t.Errorf("no reviewer token count in the log:\n%s", stderr)
	}
}
