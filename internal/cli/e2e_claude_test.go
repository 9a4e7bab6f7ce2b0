package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/claude/claudetest"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/testenv"
)

// claudeScript answers the model requests of a two-turn attempt in order: turn 1 commits in
// the worktree through Bash and ends; turn 2 reads the issue and moves it to the handoff state
// through Symphony's MCP server. Requests offering no tools (none were seen on 2.1.197) get
// text without taking a step.
func claudeScript() (claudetest.Script, func() []string) {
	steps := []claudetest.Reply{
		{ToolUse: &claudetest.ToolUse{Name: "Bash", Input: map[string]any{"description": "commit", "command": `printf 'work\n' > WORK.md && git add WORK.md && git -c user.name=agent -c user.email=agent@example.invalid commit -qm "claude work" && echo committed linear=${LINEAR_API_KEY:-unset}`}}},
		{Text: "Turn one committed.", OutputTokens: 7},
		{ToolUse: &claudetest.ToolUse{Name: "mcp__symphony__tracker_get_current_issue", Input: map[string]any{}}},
		{ToolUse: &claudetest.ToolUse{Name: "mcp__symphony__tracker_update_state", Input: map[string]any{"state_name_or_id": "Human Review"}}},
		{Text: "Handed off for review.", InputTokens: 150, OutputTokens: 11},
	}
	var mu sync.Mutex
	var results []string
	next := 0
	script := func(r claudetest.Request) claudetest.Reply {
		mu.Lock()
		defer mu.Unlock()
		results = append(results, r.ToolResults...)
		if len(r.Tools) == 0 || next >= len(steps) {
			return claudetest.Reply{Text: "nothing more to do"}
		}
		next++
		return steps[next-1]
	}
	return script, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), results...)
	}
}

// TestServeWorksIssueWithRealClaude runs the built symphony with the real claude against a
// mock Anthropic API: two turns in a worktree workspace, a commit through Bash, a scoped tool
// call through MCP that hands the issue off, the run's tokens equal to the mock's usage summed
// over both turns, and no claude process left.
func TestServeWorksIssueWithRealClaude(t *testing.T) {
	claudeBin := testenv.Claude(t)
	testenv.Tool(t, "bwrap")
	testenv.Tool(t, "socat")
	e := newE2E(t, "DEMO-1")
	sockRoot, err := os.MkdirTemp("", "claudee2e")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockRoot) })
	script, toolResults := claudeScript()
	mock := claudetest.New(t, script)
	e.env = append(e.env, "TMPDIR="+sockRoot, "ANTHROPIC_BASE_URL="+mock.URL, "ANTHROPIC_API_KEY=e2e-key",
		"LINEAR_API_KEY="+secretDeployToken)
	cfg := claudeConfig("workspaces", claudeBin, 1)
	if err := os.WriteFile(e.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd, stdout, stderr := e.command(ctx)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	})
	deadline := time.Now().Add(200 * time.Second)
	for e.issueState(t, "DEMO-1") != "Human Review" || e.unfinishedRuns(t) != 0 {
		select {
		case err := <-done:
			done <- err
			t.Fatalf("symphony exited before DEMO-1 was handed off: %v\nstderr:\n%s", err, stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("DEMO-1 not handed off: state %q", e.issueState(t, "DEMO-1"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = <-done
	done <- err
	if err != nil {
		t.Fatalf("symphony did not exit cleanly: %v\nstderr:\n%s", err, stderr)
	}

	st, err := store.Open(context.Background(), store.Options{StateRoot: e.state, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(context.Background(), store.RunFilter{})
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %+v, %v; want one", runs, err)
	}
	usage := mock.Usage()
	got := runs[0].Tokens
	if got.UncachedInput != int64(usage.Input) || got.Output != int64(usage.Output) || got.Total != int64(usage.Input+usage.Output) {
		t.Errorf("run tokens %+v, mock usage summed over both turns %+v", got, usage)
	}
	if usage.Output != 20+7+20+20+11 {
		t.Errorf("mock usage %+v does not cover all five model replies", usage)
	}
	all := strings.Join(toolResults(), "\n")
	for _, want := range []string{"committed linear=unset", `"identifier": "DEMO-1"`, `"state": "Human Review"`} {
		if !strings.Contains(all, want) {
			t.Errorf("tool results the model saw lack %s:\n%s", want, all)
		}
	}
	ws := filepath.Join(e.dir, "workspaces")
	if log := testenv.GitOutput(t, e.src, "log", "--all", "--oneline"); !strings.Contains(log, "claude work") {
		t.Errorf("the commit made in the worktree is not in the repository:\n%s", log)
	}
	assertNoClaudeLeft(t, ws)
	scanForSecrets(t, e.dir, stdout.String()+stderr.String())
}

// claudeConfig is symphony.yml for the demo repository with agent.runtime claude running
// claudeBin, maxTotal sessions at once, workspaces under root.
func claudeConfig(root, claudeBin string, maxTotal int) string {
	return fmt.Sprintf(`issues:
  provider: local
  poll_interval_ms: 2000
  local: {dir: issues}
  states: {active: [Todo, In Progress], terminal: [Done]}
repositories:
  - key: demo
    workspace: {strategy: worktree, repo: src, fetch_before_dispatch: true}
workspaces:
  root: %s
agent:
  runtime: claude
  command: %q
  concurrency: {max_total: %d}
  limits: {max_turns: 2}
  timeouts: {turn_ms: 120000}
`, root, claudeBin, maxTotal)
}

// assertNoClaudeLeft fails when a process still runs inside root or is a claude binary
// started for it.
func assertNoClaudeLeft(t *testing.T, root string) {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		pid := e.Name()
		if pid[0] < '0' || pid[0] > '9' {
			continue
		}
		cwd, _ := os.Readlink(filepath.Join("/proc", pid, "cwd"))
		if strings.HasPrefix(cwd, root) {
			cmdline, _ := os.ReadFile(filepath.Join("/proc", pid, "cmdline"))
			t.Errorf("process %s remains in %s: %q", pid, cwd, cmdline)
		}
	}
}
