package codex

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/agent/reaper"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/sandbox"
	"github.com/symphony-go/symphony/internal/testenv"
)

// TestRealSRTSessionLeavesNoRuntimeFiles runs Codex under srt the way the service does (the
// registered runtime, the default policy) and ends it the ways a session ends: Stop, and Stop
// after srt was SIGKILLed (the supervisor's sweep or the OOM killer), which keeps srt's exit
// handler from removing what it made. Neither the empty directory srt mounts over denied paths,
// nor the mount points it creates for denied paths that do not exist (WORKFLOW.md, .claude,
// .gitconfig, ... in the workspace; a linked worktree's config in the primary clone's git
// metadata), nor its proxy sockets may be left behind.
func TestRealSRTSessionLeavesNoRuntimeFiles(t *testing.T) {
	bin := testenv.Codex(t)
	srt := testenv.SRT(t)
	for _, tool := range []string{"bwrap", "socat", "git"} {
		testenv.Tool(t, tool)
	}
	for _, worktree := range []bool{false, true} {
		for _, killSRT := range []bool{false, true} {
			t.Run(fmt.Sprintf("worktree=%v/srt_killed=%v", worktree, killSRT), func(t *testing.T) {
				testSRTSessionLeavesNoRuntimeFiles(t, bin, srt, worktree, killSRT)
			})
		}
	}
}

func testSRTSessionLeavesNoRuntimeFiles(t *testing.T, bin, srt string, worktree, killSRT bool) {
	sess, ws, gitDirs := newSRTRuntimeSession(t, bin, srt, worktree)
	roots := append([]string{ws}, gitDirs...)
	filesBefore := testenv.Tree(t, roots...)
	// A socket an earlier srt left (before this fix, or killed) can carry the pid this srt
	// gets; only sockets that appear during the session count.
	before := srtSockets()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := sess.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	srtPID, placeholders := srtRuntimeFiles(t, sess.PID())
	if len(placeholders) == 0 {
		t.Fatal("srt mounted no empty directory over a denied path; the test no longer covers that leak")
	}
	if killSRT {
		if err := syscall.Kill(srtPID, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
	}
	if err := sess.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	waitGone(t, srtPID)
	for _, p := range placeholders {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("srt's empty mount source %s is left behind", p)
		}
	}
	for _, p := range testenv.Added(filesBefore, testenv.Tree(t, roots...)) {
		t.Errorf("%s is new since Start", p)
	}
	for _, s := range srtSockets() {
		if !slices.Contains(before, s) && strings.HasPrefix(filepath.Base(s), fmt.Sprintf("srt-mux-%d-", srtPID)) {
			t.Errorf("srt's proxy socket %s is left behind", s)
		}
	}
}

// A service killed while srt is being killed never sweeps srt's mount points: the next
// session in the workspace does, from the record the first kept beside the workspace lock,
// before its own srt starts.
func TestRealSRTMountPointsOfAKilledServiceGoWithTheNextSession(t *testing.T) {
	bin := testenv.Codex(t)
	srt := testenv.SRT(t)
	for _, tool := range []string{"bwrap", "socat", "git"} {
		testenv.Tool(t, tool)
	}
	req, ws, _ := srtSessionRequest(t, bin, srt, false)
	filesBefore := testenv.Tree(t, ws)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	first := sessionFrom(t, req)
	if err := first.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	srtPID, _ := srtRuntimeFiles(t, first.PID())
	// The service dies: its supervisor kills the tree, srt outright here, and no Stop runs.
	if err := syscall.Kill(srtPID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(first.PID(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitGone(t, first.PID())
	if len(testenv.Added(filesBefore, testenv.Tree(t, ws))) == 0 {
		t.Fatal("the killed srt left no mount point; the test no longer covers the leak")
	}
	next := sessionFrom(t, req)
	if err := next.Start(ctx); err != nil {
		t.Fatalf("the next session's Start: %v", err)
	}
	if err := next.Stop(ctx); err != nil {
		t.Fatalf("the next session's Stop: %v", err)
	}
	for _, p := range testenv.Added(filesBefore, testenv.Tree(t, ws)) {
		t.Errorf("%s, left by the killed session's srt, is still there after the next session", p)
	}
}

// srtSockets are the proxy sockets srt processes left in the temp directories a session's srt
// could fall back to.
func srtSockets() []string {
	var socks []string
	for _, dir := range slices.Compact([]string{os.TempDir(), "/tmp"}) {
		found, _ := filepath.Glob(filepath.Join(dir, "srt-mux-*.sock"))
		socks = append(socks, found...)
	}
	return socks
}

// newSRTRuntimeSession builds a session through the registered runtime with srt as the outer
// sandbox, against a mock model that is never asked anything, in workspace ws: a fresh
// repository, or a linked worktree of one, whose git metadata outside ws is gitDirs.
func newSRTRuntimeSession(t *testing.T, codexBin, srtBin string, worktree bool) (sess agent.Session, ws string, gitDirs []string) {
	t.Helper()
	req, ws, gitDirs := srtSessionRequest(t, codexBin, srtBin, worktree)
	return sessionFrom(t, req), ws, gitDirs
}

// sessionFrom builds a session from req through the registered runtime; it is stopped when
// the test ends.
func sessionFrom(t *testing.T, req agent.SessionRequest) agent.Session {
	t.Helper()
	sess, err := newRuntimeSession(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sess.Stop(context.Background()) })
	return sess
}

// srtSessionRequest is what the service asks of the runtime for a session under srt, with its
// mount point record beside a workspace lock as the service keeps it.
func srtSessionRequest(t *testing.T, codexBin, srtBin string, worktree bool) (req agent.SessionRequest, ws string, gitDirs []string) {
	t.Helper()
	mock := codextest.NewResponses(t)
	root, ws, state := testDirs(t)
	if worktree {
		primary := t.TempDir()
		testenv.Git(t, primary, "init", "-q", "-b", "main")
		testenv.Git(t, primary, "commit", "-q", "--allow-empty", "-m", "root")
		testenv.Git(t, primary, "worktree", "add", "-q", "-b", "ISSUE-1", ws)
		gitDirs = []string{filepath.Join(primary, ".git")}
	} else {
		testenv.Git(t, ws, "init", "-q")
	}
	provider := fmt.Sprintf(`model_providers.mock={name="Mock",base_url="%s",wire_api="responses",env_key="MOCK_API_KEY",request_max_retries=0,stream_max_retries=0}`, mock.URL)
	cfg := config.Defaults()
	cfg.Path = filepath.Join(state, "symphony.yml")
	cfg.Agent.Runtime = RuntimeName
	cfg.Agent.Command = fmt.Sprintf("%s --config %s --config model_provider=mock --config model=gpt-5.1-codex app-server", shellQuote(codexBin), shellQuote(provider))
	cfg.Agent.Permissions.OuterSandbox.Runtime = sandbox.OuterSRT
	cfg.Agent.Permissions.OuterSandbox.Command = srtBin
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	locks := filepath.Join(root, ".symphony-locks")
	if err := os.Mkdir(locks, 0o700); err != nil {
		t.Fatal(err)
	}
	return agent.SessionRequest{
		Config: &cfg, WorkspaceRoot: root, Workspace: ws, SessionsRoot: filepath.Join(state, "sessions"),
		StateRoot: state, LogsRoot: filepath.Join(state, "logs"), Home: home, ExtraEnv: mock.Env(),
		MountPointRecord: filepath.Join(locks, "ISSUE-1.mountpoints"),
	}, ws, gitDirs
}

// srtRuntimeFiles finds the srt process below pid and the empty directories srt bind-mounts
// over denied paths, as the host names them: srt binds each onto its own path read-only, so
// a mount point inside the sandbox is the directory's path outside.
func srtRuntimeFiles(t *testing.T, pid int) (srtPID int, placeholders []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, p := range reaper.Tree(pid) {
		comm, _ := os.ReadFile(filepath.Join("/proc", itoa(p), "comm"))
		cmdline, _ := os.ReadFile(filepath.Join("/proc", itoa(p), "cmdline"))
		if strings.TrimSpace(string(comm)) == "node" && strings.Contains(string(cmdline), "--settings") {
			srtPID = p
		}
		mounts, _ := os.ReadFile(filepath.Join("/proc", itoa(p), "mountinfo"))
		for _, line := range strings.Split(string(mounts), "\n") {
			// Field 5 is the mount point.
			if f := strings.Fields(line); len(f) > 4 && strings.Contains(filepath.Base(f[4]), "claude-empty-") && !seen[f[4]] {
				seen[f[4]] = true
				placeholders = append(placeholders, f[4])
			}
		}
	}
	if srtPID == 0 {
		t.Fatalf("no srt process below the session's process %d", pid)
	}
	return srtPID, placeholders
}
