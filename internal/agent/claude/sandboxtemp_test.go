package claude

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/claude/claudetest"
	"github.com/symphony-go/symphony/internal/agent/reaper"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/testenv"
)

// placeholderName is the name of an empty directory Claude's sandbox mounts over a denied
// path that does not exist yet.
var placeholderName = regexp.MustCompile(`claude-empty-[A-Za-z0-9]+`)

// TestRealClaudeSessionLeavesNoSandboxFiles runs a sandboxed Bash command through a session
// built the way the service builds it and ends the session both ways: after a finished turn,
// and with Stop while the command still runs. Claude Code makes an empty directory for every
// denied path whose parent is missing and never removes it; none may be left behind. The
// command reports the directories from its own mount table (where a mount's root names the
// directory on the host). Nor may the mount points the sandbox creates in the workspace for
// denied paths that do not exist (WORKFLOW.md, .claude, .gitconfig, ...) outlive the session:
// the workspace holds nothing new but the command's own report.
func TestRealClaudeSessionLeavesNoSandboxFiles(t *testing.T) {
	bin := testenv.Claude(t)
	testenv.Tool(t, "bwrap")
	testenv.Tool(t, "socat")
	for _, c := range mountTurnCases {
		t.Run(c.name, func(t *testing.T) {
			sess, ws := newLocalRuntimeSession(t, bin, bash(c.command, func(claudetest.Request) claudetest.Reply { return claudetest.Reply{Text: "done"} }))
			filesBefore := testenv.Tree(t, ws)
			if err := sess.Start(context.Background()); err != nil {
				t.Fatalf("Start: %v", err)
			}
			names := runMountTurn(t, sess, ws, c, func() { killClaude(t, sess.PID()) })
			for _, p := range placeholdersUnder(names, os.TempDir(), "/tmp") {
				t.Errorf("Claude's empty mount source %s is left behind", p)
			}
			report := filepath.Join(ws, "mounts.txt")
			for _, p := range testenv.Added(append(filesBefore, report), testenv.Tree(t, ws)) {
				t.Errorf("the workspace holds %s, new since Start", p)
			}
		})
	}
}

// mountTurnCases are the sandboxed Bash commands the leftover tests run, each saving the
// command's mount table in the workspace, whether the session is stopped while the command
// still runs (else after the turn ends), and whether claude is SIGKILLed first (the OOM
// killer, or the supervisor's sweep after its TERM grace), so its sandbox's exit handler
// never runs.
type mountTurnCase struct {
	name       string
	command    string
	stop       bool
	killClaude bool
}

var mountTurnCases = []mountTurnCase{
	{"turn ends", "cat /proc/self/mountinfo > mounts.txt", false, false},
	{"stopped mid-command", "cat /proc/self/mountinfo > mounts.txt; sleep 120", true, false},
	{"killed mid-command", "cat /proc/self/mountinfo > mounts.txt; sleep 120", true, true},
}

// runMountTurn runs the turn of a mountTurnCases command in workspace ws, stops the session
// during or after it (calling kill first in a killClaude case), and returns the names of the
// empty directories Claude's sandbox mounted for the command (a mount's root in the table
// names the directory it came from).
func runMountTurn(t *testing.T, sess agent.Session, ws string, c mountTurnCase, kill func()) []string {
	t.Helper()
	stopMidCommand := c.stop
	mounts := filepath.Join(ws, "mounts.txt")
	turn := make(chan error, 1)
	go func() {
		_, err := sess.RunTurn(context.Background(), "report the mounts")
		turn <- err
	}()
	if stopMidCommand {
		waitForFile(t, mounts)
		if c.killClaude {
			kill()
		}
		if err := sess.Stop(context.Background()); err != nil {
			t.Fatalf("Stop: %v", err)
		}
	}
	select {
	case err := <-turn:
		if !stopMidCommand && err != nil {
			t.Fatalf("turn: %v", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the turn did not end")
	}
	if !stopMidCommand {
		if err := sess.Stop(context.Background()); err != nil {
			t.Fatalf("Stop: %v", err)
		}
	}
	b, err := os.ReadFile(mounts)
	if err != nil {
		t.Fatalf("the sandboxed command did not run: %v", err)
	}
	names := slices.Compact(slices.Sorted(slices.Values(placeholderName.FindAllString(string(b), -1))))
	if len(names) == 0 {
		t.Fatal("Claude's sandbox mounted no empty directory; the test no longer covers that leak")
	}
	return names
}

// killClaude SIGKILLs the claude process below the turn's process pid (its supervisor).
func killClaude(t *testing.T, pid int) {
	t.Helper()
	for _, p := range reaper.Tree(pid) {
		cmdline, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p), "cmdline"))
		if p != pid && strings.Contains(string(cmdline), "stream-json") {
			if err := syscall.Kill(p, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no claude process below the turn's process %d", pid)
}

// placeholdersUnder are the directories named names found in the roots or one level below.
func placeholdersUnder(names []string, roots ...string) []string {
	var found []string
	for _, root := range slices.Compact(roots) {
		for _, name := range names {
			direct, _ := filepath.Glob(filepath.Join(root, name))
			nested, _ := filepath.Glob(filepath.Join(root, "*", name))
			found = append(found, append(direct, nested...)...)
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(found)))
}

// newLocalRuntimeSession builds a session through the registered runtime against a mock model
// answering with script, in a fresh git workspace; the caller starts it.
func newLocalRuntimeSession(t *testing.T, bin string, script claudetest.Script) (agent.Session, string) {
	t.Helper()
	mock := claudetest.New(t, script)
	root := t.TempDir()
	ws := filepath.Join(root, "ws")
	if err := os.Mkdir(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, ws, "init", "-q")
	state := t.TempDir()
	cfg := config.Defaults()
	cfg.Path = filepath.Join(state, "symphony.yml")
	cfg.Agent.Runtime, cfg.Agent.Command = RuntimeName, bin
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	sess, err := newRuntimeSession(agent.SessionRequest{
		Config: &cfg, WorkspaceRoot: root, Workspace: ws, SessionsRoot: filepath.Join(state, "sessions"),
		StateRoot: state, LogsRoot: filepath.Join(state, "logs"), Home: home,
		ExtraEnv: []string{"ANTHROPIC_BASE_URL=" + mock.URL, "ANTHROPIC_API_KEY=test-key", "CLAUDE_CODE_MAX_RETRIES=0",
			"CLAUDE_CONFIG_DIR=" + filepath.Join(t.TempDir(), ".claude")},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sess.Stop(context.Background()) })
	return sess, ws
}

// waitForFile waits until path exists and is not empty.
func waitForFile(t *testing.T, path string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
			return
		}
	}
	t.Fatalf("%s was never written", path)
}
