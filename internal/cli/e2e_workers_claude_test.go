package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/claude/claudetest"
	"github.com/symphony-go/symphony/internal/testenv"
)

// TestTwoWorkerHostsRunIssuesWithRealClaude runs the service with agent.runtime claude and two
// real sshd worker hosts of one slot each: each issue's claude runs on a host, hands the issue
// off through a scoped tool that reaches the tracker here over the forwarded MCP socket, its
// workspace is made by the host its run records, and no session directory is left on the
// hosts.
func TestTwoWorkerHostsRunIssuesWithRealClaude(t *testing.T) {
	claudeBin := testenv.Claude(t)
	testenv.Tool(t, "bwrap")
	testenv.Tool(t, "socat")
	e := newE2E(t, "DEMO-1", "DEMO-2")
	hosts := e.addWorkerHosts(t)
	// A short root: the forwarded MCP socket lives below it and a socket path holds ~100 bytes.
	root, err := os.MkdirTemp("", "cw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	var mu sync.Mutex
	var results []string
	mock := claudetest.New(t, func(r claudetest.Request) claudetest.Reply {
		mu.Lock()
		defer mu.Unlock()
		results = append(results, r.ToolResults...)
		switch {
		case len(r.ToolResults) > 0:
			return claudetest.Reply{Text: "handed off"}
		case len(r.Tools) > 0:
			return claudetest.Reply{ToolUse: &claudetest.ToolUse{Name: "mcp__symphony__tracker_update_state", Input: map[string]any{"state_name_or_id": "Human Review"}}}
		}
		return claudetest.Reply{Text: "nothing to do"}
	})
	e.env = append(e.env, "ANTHROPIC_BASE_URL="+mock.URL, "ANTHROPIC_API_KEY=e2e-key")
	cfg := claudeConfig(root, claudeBin, 2) + fmt.Sprintf("workers:\n  ssh_hosts: [%s, %s]\n  max_concurrent_agents_per_host: 1\n", hosts[0].Addr(), hosts[1].Addr())
	if err := os.WriteFile(e.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd, stderr := e.startService(t, ctx)
	waitForService(t, cmd, stderr, "both issues handed off", func() bool {
		return e.issueState(t, "DEMO-1") == "Human Review" && e.issueState(t, "DEMO-2") == "Human Review" && e.unfinishedRuns(t) == 0
	})
	runs, err := readRuns(e.state)
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs %+v, %v; want two", runs, err)
	}
	if used := checkRunsOnTheirHosts(t, runs, root); len(used) != 2 {
		t.Errorf("runs per host %v, want both hosts used", used)
	}
	mu.Lock()
	handOffs := strings.Count(strings.Join(results, "\n"), "Human Review")
	mu.Unlock()
	if handOffs < 2 {
		t.Errorf("the model saw %d tracker answers naming Human Review, want one per issue: %q", handOffs, results)
	}
	if bins, _ := filepath.Glob(filepath.Join(root, ".symphony", "bin", "symphony-*")); len(bins) != 1 {
		t.Errorf("symphony copies on the hosts: %v, want one (both hosts share this machine's root)", bins)
	}
	if left, _ := os.ReadDir(filepath.Join(root, ".symphony", "sessions")); len(left) != 0 {
		t.Errorf("session directories left on the hosts: %v", left)
	}
	assertNoClaudeLeft(t, root)
}
