package claude

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/claude/claudetest"
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
// directory on the host).
func TestRealClaudeSessionLeavesNoSandboxFiles(t *testing.T) {
	bin := testenv.Claude(t)
	testenv.Tool(t, "bwrap")
	testenv.Tool(t, "socat")
	for _, c := range mountTurnCases {
		t.Run(c.name, func(t *testing.T) {
			sess, ws := newLocalRuntimeSession(t, bin, bash(c.command, func(claudetest.Request) claudetest.Reply { return claudetest.Reply{Text: "done"} }))
			names := runMountTurn(t, sess, ws, c.stop)
			for _, p := range placeholdersUnder(names, os.TempDir(), "/tmp") {
				t.Errorf("Claude's empty mount source %s is left behind", p)
			}
		})
	}
}

// mountTurnCases are the sandboxed Bash commands the leftover tests run, each saving the
// command's mount table in the workspace, and whether the session is stopped while the
// command still runs (else after the turn ends).
var mountTurnCases = []struct {
	name    string
	command string
	stop    bool
}{
	{"turn ends", "cat /proc/self/mountinfo > mounts.txt", false},
	{"stopped mid-command", "cat /proc/self/mountinfo > mounts.txt; sleep 120", true},
}

// runMountTurn runs the turn of a mountTurnCases command in workspace ws, stops the session
// during or after it, and returns the names of the empty directories Claude's sandbox mounted
// for the command (a mount's root in the table names the directory it came from).
func runMountTurn(t *testing.T, sess agent.Session, ws string, stopMidCommand bool) []string {
	t.Helper()
	mounts := filepath.Join(ws, "mounts.txt")
	turn := make(chan error, 1)
	go func() {
		_, err := sess.RunTurn(context.Background(), "report the mounts")
		turn <- err
	}()
	if stopMidCommand {
		waitForFile(t, mounts)
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
// answering with script, in a fresh git workspace.
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
	if err := sess.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
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
