package codex

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/sshworker/sshdtest"
	"github.com/symphony-go/symphony/internal/testenv"
)

// remoteSession is a real codex started over a real sshd on 127.0.0.1 against the mock model
// API; the host's directories are on this machine, so the test can look at them.
type remoteSession struct {
	*Session
	host *sshdtest.Host
	dir  string // the private directory on the host
	ws   string
	rec  *recorder
}

func newRemoteSession(t *testing.T, steps ...codextest.Step) *remoteSession {
	t.Helper()
	return newRemoteSessionIn(t, func(ws string) {
		if err := os.MkdirAll(ws, 0o755); err != nil {
			t.Fatal(err)
		}
		testenv.Git(t, ws, "init", "-q")
	}, steps...)
}

// newRemoteSessionIn is newRemoteSession with the workspace made by makeWorkspace.
func newRemoteSessionIn(t *testing.T, makeWorkspace func(ws string), steps ...codextest.Step) *remoteSession {
	t.Helper()
	bin := testenv.Codex(t)
	fleet := sshdtest.NewFleet(t)
	host := fleet.AddHost()
	mock := codextest.NewResponses(t, steps...)
	h, err := sshworker.ParseHost(host.Addr())
	if err != nil {
		t.Fatal(err)
	}
	tr := sshworker.Transport{Binary: fleet.SSH, ConfigFile: fleet.ConfigFile, ConnectTimeout: 10 * time.Second}
	remote := agent.SSHRemote(host.Addr(), tr, h, filepath.Join(host.Root, "sessions"), "")
	root := filepath.Join(host.Root, "workspaces")
	ws := filepath.Join(root, "ABC-1")
	makeWorkspace(ws)
	dir, err := NewRemoteSessionDir(remote)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	s := New(Options{
		Command:           shellQuote(bin) + " app-server",
		WorkspaceRoot:     root,
		Workspace:         ws,
		PrivateDir:        dir,
		ConfigTOML:        mock.ConfigTOML(),
		Env:               agentEnv(mock.Env()...),
		IssueIdentifier:   "ABC-1",
		ApprovalPolicy:    "never",
		ThreadSandbox:     "workspace-write",
		TurnSandboxPolicy: map[string]any{"type": "workspaceWrite", "networkAccess": false},
		ReadTimeout:       30 * time.Second,
		TurnTimeout:       90 * time.Second,
		Events:            rec.sink,
		Remote:            remote,
	})
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	return &remoteSession{Session: s, host: host, dir: dir, ws: ws, rec: rec}
}

func TestRemoteCodexCompletesATurnOverRealSSH(t *testing.T) {
	rs := newRemoteSession(t,
		codextest.Step{Shell: `printf '%s|%s' "$CODEX_HOME" "$(pwd -P)" > where.txt`},
		codextest.Step{Text: "done"})
	if err := rs.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	config, err := os.ReadFile(filepath.Join(rs.dir, "home", "config.toml"))
	if err != nil || !strings.Contains(string(config), "check_for_update_on_startup = false") {
		t.Fatalf("private config.toml on the host: %v\n%s", err, config)
	}
	if fi, err := os.Stat(filepath.Join(rs.dir, "env")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("env file on the host: %v %v, want 0600", fi, err)
	}
	res, err := rs.RunTurn(context.Background(), "write where you are")
	if err != nil {
		t.Fatalf("RunTurn: %v", err)
	}
	if res.LastMessage != "done" {
		t.Fatalf("last message %q", res.LastMessage)
	}
	where, err := os.ReadFile(filepath.Join(rs.ws, "where.txt"))
	if err != nil {
		t.Fatalf("the agent's command did not run in the remote workspace: %v", err)
	}
	if want := filepath.Join(rs.dir, "home") + "|" + rs.ws; string(where) != want {
		t.Fatalf("agent command saw %q, want %q", where, want)
	}
	pgid := readPGID(t, rs.dir)
	if err := rs.Stop(context.Background()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := os.Stat(rs.dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the private directory on the host survived Stop: %v", err)
	}
	waitGroupGone(t, pgid)
}

func TestRemoteCodexHostDyingMidTurnIsWorkerHostUnavailable(t *testing.T) {
	rs := newRemoteSession(t, codextest.Step{Shell: "touch started; sleep 120"}, codextest.Step{Text: "never"})
	if err := rs.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	pgid := readPGID(t, rs.dir)
	go func() {
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) && !exists(filepath.Join(rs.ws, "started")) {
			time.Sleep(100 * time.Millisecond)
		}
		rs.host.Stop()
	}()
	_, err := rs.RunTurn(context.Background(), "sleep")
	if agent.CodeOf(err) != agent.CodeWorkerHostUnavailable {
		t.Fatalf("RunTurn on a host that died = %v, want %s", err, agent.CodeWorkerHostUnavailable)
	}
	waitGroupGone(t, pgid)
}

func TestRemoteCodexOnAStoppedHostFailsToStartAsWorkerHostUnavailable(t *testing.T) {
	rs := newRemoteSession(t)
	rs.host.Stop()
	err := rs.Start(context.Background())
	if agent.CodeOf(err) != agent.CodeWorkerHostUnavailable || !errors.Is(err, sshworker.ErrWorkerHostUnavailable) {
		t.Fatalf("Start on a stopped host = %v, want %s", err, agent.CodeWorkerHostUnavailable)
	}
}

func TestRemoteCodexMissingOnTheHostIsTheHostsFault(t *testing.T) {
	rs := newRemoteSession(t)
	rs.opts.Command = "/nonexistent/codex app-server"
	err := rs.Start(context.Background())
	if agent.CodeOf(err) != agent.CodeWorkerHostUnavailable {
		t.Fatalf("Start with no codex on the host = %v, want %s", err, agent.CodeWorkerHostUnavailable)
	}
	if _, err := os.Stat(rs.dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the private directory on the host survived a failed start: %v", err)
	}
}

// A worktree's git metadata lives in its primary clone, outside the workspace; the turn's
// workspaceWrite policy must name it, found on the host, or the agent cannot commit.
func TestRemoteCodexCommitsInAWorktreeWorkspace(t *testing.T) {
	var primary string
	rs := newRemoteSessionIn(t, func(ws string) {
		primary = filepath.Join(filepath.Dir(filepath.Dir(ws)), "primary")
		testenv.Git(t, filepath.Dir(primary), "init", "-q", "-b", "main", primary)
		testenv.Git(t, primary, "commit", "-q", "--allow-empty", "-m", "first")
		testenv.Git(t, primary, "worktree", "add", "-q", "-b", "auto/ABC-1", ws)
	},
		codextest.Step{Shell: "git -c user.name=a -c user.email=a@a commit -q --allow-empty -m remote-commit"},
		codextest.Step{Text: "committed"})
	if err := rs.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if _, err := rs.RunTurn(context.Background(), "commit"); err != nil {
		t.Fatalf("RunTurn: %v", err)
	}
	if log := testenv.GitOutput(t, primary, "log", "--format=%s", "auto/ABC-1"); !strings.Contains(log, "remote-commit") {
		t.Fatalf("the agent's commit is not on auto/ABC-1:\n%s", log)
	}
}

// readPGID waits for the remote side to record the agent's process group.
func readPGID(t *testing.T, dir string) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, err := os.ReadFile(filepath.Join(dir, "agent.pgid"))
		if n, perr := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && perr == nil && n > 1 {
			return n
		}
		if time.Now().After(deadline) {
			t.Fatalf("no process group recorded in %s: %v", dir, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// groupMembers lists the live processes of process group pgid, by their command names.
func groupMembers(pgid int) map[int]string {
	out := map[int]string{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		fields := strings.Fields(s[i+1:])
		if len(fields) > 3 && fields[0] != "Z" && fields[2] == strconv.Itoa(pgid) {
			out[pid] = s[strings.IndexByte(s, '(')+1 : i]
		}
	}
	return out
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// waitGroupGone waits for the remote agent's process group to be empty; what is left is
// killed so the test leaves nothing behind, and reported.
func waitGroupGone(t *testing.T, pgid int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(groupMembers(pgid)) > 0 {
		if time.Now().After(deadline) {
			left := groupMembers(pgid)
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			t.Fatalf("the remote agent's process group %d outlived the session: %v", pgid, left)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
