package claude

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/claude/claudetest"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/testenv"
)

// TestRealRemoteSessionLeavesNoSandboxFiles is TestRealClaudeSessionLeavesNoSandboxFiles on a
// worker host: the real claude runs a sandboxed Bash command on a test sshd host, in a session
// ended after its turn, by Stop while the command runs, or with the turn's remote process group
// SIGKILLed mid-command first. The session's TMPDIR is its own, in the host's temp directory,
// and neither it nor any of the empty directories Claude's sandbox made for the command may be
// left in the host's temp directory (or /tmp). Stop kills the remote group, so Claude's exit
// handler never runs when the command is still running; nor may the mount points its sandbox
// made in the host's workspace (WORKFLOW.md, .claude, .gitconfig, ...) outlive the session.
func TestRealRemoteSessionLeavesNoSandboxFiles(t *testing.T) {
	claudeBin := testenv.Claude(t)
	testenv.Tool(t, "bwrap")
	testenv.Tool(t, "socat")
	for _, c := range mountTurnCases {
		t.Run(c.name, func(t *testing.T) {
			remote, host, ws := testHost(t)
			testenv.Git(t, ws, "init", "-q")
			filesBefore := testenv.Tree(t, ws)
			mock := claudetest.New(t, bash(c.command, func(claudetest.Request) claudetest.Reply { return claudetest.Reply{Text: "done"} }))
			cfg := config.Defaults()
			cfg.Path = filepath.Join(t.TempDir(), "symphony.yml")
			cfg.Agent.Runtime, cfg.Agent.Command = RuntimeName, claudeBin
			cfg.Workspaces.Root = host.Root
			sess, err := newRuntimeSession(agent.SessionRequest{
				Config: &cfg, Remote: remote, WorkspaceRoot: host.Root, Workspace: ws, SessionsRoot: t.TempDir(),
				ExtraEnv: []string{"ANTHROPIC_BASE_URL=" + mock.URL, "ANTHROPIC_API_KEY=remote-key", "CLAUDE_CODE_MAX_RETRIES=0",
					"CLAUDE_CONFIG_DIR=" + filepath.Join(host.Home, ".claude")},
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = sess.Stop(context.Background()) })
			dir := sess.(*ownedSession).opts.PrivateDir
			if err := sess.Start(t.Context()); err != nil {
				t.Fatal(err)
			}
			record, err := os.ReadFile(filepath.Join(dir, sshworker.SandboxTempFile))
			if err != nil {
				t.Fatalf("the session's sandbox temp dir on the host is not recorded: %v", err)
			}
			sandboxTemp := strings.TrimSpace(string(record))
			if want := filepath.Join(host.Temp, sshworker.SandboxTempPrefix+filepath.Base(dir)); sandboxTemp != want {
				t.Errorf("the session's sandbox temp dir on the host is %s, want %s", sandboxTemp, want)
			}
			if fi, err := os.Stat(sandboxTemp); err != nil || fi.Mode().Perm() != 0o700 {
				t.Fatalf("the session's sandbox temp dir on the host: %v (%v), want a 0700 directory", fi, err)
			}

			names := runMountTurn(t, sess, ws, c, func() { killRemoteGroup(t, dir, ws) })
			for _, p := range placeholdersUnder(names, host.Temp, os.TempDir(), "/tmp") {
				t.Errorf("Claude's empty mount source %s is left on the host", p)
			}
			for _, p := range []string{sandboxTemp, dir} {
				if _, err := os.Stat(p); !os.IsNotExist(err) {
					t.Errorf("%s on the host after Stop: %v", p, err)
				}
			}
			report := filepath.Join(ws, "mounts.txt")
			for _, p := range testenv.Added(append(filesBefore, report), testenv.Tree(t, ws)) {
				t.Errorf("the host's workspace holds %s, new since Start", p)
			}
			assertNoProcessIn(t, ws, dir)
		})
	}
}

// killRemoteGroup SIGKILLs the process group the running turn recorded in the session's
// directory dir on the host (here, this machine), as the host's OOM killer or an operator
// might, once Claude's sandbox has made its mount points in the workspace ws.
func killRemoteGroup(t *testing.T, dir, ws string) {
	t.Helper()
	if _, err := os.Lstat(filepath.Join(ws, "WORKFLOW.md")); err != nil {
		t.Fatalf("the sandbox made no mount point at WORKFLOW.md, so the test no longer covers their leak: %v", err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, sshworker.AgentGroupFile))
	if err != nil {
		t.Fatal(err)
	}
	pgid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil || pgid <= 1 {
		t.Fatalf("the recorded process group %q", raw)
	}
	if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
}
