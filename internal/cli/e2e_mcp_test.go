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
)

// TestAgentCallsToolsThroughSymphonyMCPWithRealCodex runs the built symphony with the real
// codex: the scripted model reads its issue and hands it off with tools called in the
// mcp__symphony namespace, which Codex reaches only through `symphony mcp-shim` and the
// session's MCP server. The tracker must change accordingly; afterwards the session's socket
// directory is gone, and a stale socket directory left in the same temp directory was reaped
// when the service started.
func TestAgentCallsToolsThroughSymphonyMCPWithRealCodex(t *testing.T) {
	e := newE2E(t, "DEMO-1")
	// A short temp directory keeps the socket path inside the Unix socket address limit.
	sockRoot, err := os.MkdirTemp("", "mcpe2e")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockRoot) })
	stale := filepath.Join(sockRoot, "symphony-mcp-stale")
	if err := os.Mkdir(stale, 0o700); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	e.env = append(e.env, "TMPDIR="+sockRoot)

	mock := codextest.NewResponses(t,
		codextest.Step{Namespace: "mcp__symphony", Tool: "tracker_get_current_issue", ToolArgs: map[string]any{}},
		codextest.Step{Namespace: "mcp__symphony", Tool: "tracker_update_state", ToolArgs: map[string]any{"state_name_or_id": "Human Review"}},
		codextest.Step{Text: "DEMO-1 is ready for review."})
	e.writeConfig(t, mock)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd, stdout, stderr := e.command(ctx)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	deadline := time.Now().Add(150 * time.Second)
	for e.issueState(t, "DEMO-1") != "Human Review" || e.unfinishedRuns(t) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("DEMO-1 not handed off through MCP: state %q\nstdout:\n%s\nstderr:\n%s", e.issueState(t, "DEMO-1"), stdout, stderr)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("symphony did not exit cleanly: %v\nstderr:\n%s", err, stderr)
	}

	// Codex hands an MCP result to the model as a list of content items, a dynamic tool's
	// result as one string: every output must be the former.
	var texts []string
	for _, r := range mock.Requests() {
		for _, raw := range r.ToolOutputs {
			var items []map[string]string
			if err := json.Unmarshal([]byte(raw), &items); err != nil {
				t.Fatalf("tool output is not MCP content items (%v): %s", err, raw)
			}
			for _, it := range items {
				texts = append(texts, it["text"])
			}
		}
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{`"identifier": "DEMO-1"`, `<linear_issue_title>`, `"state": "Human Review"`} {
		if !strings.Contains(all, want) {
			t.Errorf("MCP tool results lack %s:\n%s", want, all)
		}
	}
	if !strings.Contains(stderr.String(), "mcp server listening") {
		t.Errorf("symphony did not log its session MCP server:\n%s", stderr)
	}
	left, err := filepath.Glob(filepath.Join(sockRoot, "symphony-mcp-*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("socket directories left after the run (the stale one must be reaped at start, the session's removed at stop): %q", left)
	}
}
