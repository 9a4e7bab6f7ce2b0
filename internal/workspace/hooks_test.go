package workspace

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestCloneStrategyPopulatesThroughAfterCreate(t *testing.T) {
	f := newGitFixture(t)
	e := newTestEnv(t)
	hooks := Hooks{AfterCreate: "git clone --quiet '" + f.origin + "' . && echo created >> .symphony-created"}
	m := e.manager(t, e.options(Repo{Key: "web", Hooks: hooks}))
	ws, err := m.Ensure(ctxT(t), iss("web", "ENG-1"))
	if err != nil {
		t.Fatal(err)
	}
	if !ws.CreatedNow || readFile(t, filepath.Join(ws.Path, "README.md")) != "main\n" {
		t.Fatalf("after_create did not clone origin into %s (created_now=%v)", ws.Path, ws.CreatedNow)
	}
	writeFile(t, filepath.Join(ws.Path, "README.md"), "edited\n")
	again, err := m.Ensure(ctxT(t), iss("web", "ENG-1"))
	if err != nil || again.CreatedNow {
		t.Fatalf("second Ensure = %+v, %v; want reuse", again, err)
	}
	if got := readFile(t, filepath.Join(ws.Path, ".symphony-created")); got != "created\n" {
		t.Errorf("after_create ran %d times, want once", strings.Count(got, "created"))
	}
	if readFile(t, filepath.Join(ws.Path, "README.md")) != "edited\n" {
		t.Error("reuse reset the dirty clone")
	}
}

func TestAfterCreateFailureRemovesNewWorkspace(t *testing.T) {
	tests := []struct {
		name, script string
		timeout      time.Duration
		code         string
	}{
		{"failure", "echo populating > file; exit 3", time.Minute, CodeHookFailed},
		{"timeout", "echo populating > file; sleep 30", 300 * time.Millisecond, CodeHookTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			m := e.manager(t, e.options(Repo{Key: "web", Hooks: Hooks{AfterCreate: tt.script, Timeout: tt.timeout}}))
			_, err := m.Ensure(ctxT(t), iss("web", "ENG-1"))
			wantCode(t, err, tt.code)
			if _, statErr := os.Lstat(filepath.Join(e.root, "web", "ENG-1")); !errors.Is(statErr, os.ErrNotExist) {
				t.Errorf("partial workspace left behind after after_create %s", tt.name)
			}
		})
	}
}

func TestBeforeRunFailureAbortsAttempt(t *testing.T) {
	tests := []struct {
		name, script string
		timeout      time.Duration
		code         string
	}{
		{"ok", "test -d .", time.Minute, ""},
		{"failure", "echo 'lint broke' >&2; exit 1", time.Minute, CodeHookFailed},
		{"timeout", "sleep 30", 300 * time.Millisecond, CodeHookTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			m := e.manager(t, e.options(Repo{Key: "web", Hooks: Hooks{BeforeRun: tt.script, Timeout: tt.timeout}}))
			ws, err := m.Ensure(ctxT(t), iss("web", "ENG-1"))
			if err != nil {
				t.Fatal(err)
			}
			err = m.BeforeRun(ctxT(t), ws, nil)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("BeforeRun = %v, want success", err)
				}
				return
			}
			wantCode(t, err, tt.code)
			if !isDir(ws.Path) {
				t.Error("a failed before_run removed the workspace")
			}
		})
	}
}

func TestAfterRunAndBeforeRemoveFailuresAreIgnored(t *testing.T) {
	e := newTestEnv(t)
	hooks := Hooks{AfterRun: "echo after-run-broke; exit 7", BeforeRemove: "sleep 30", Timeout: 300 * time.Millisecond}
	m := e.manager(t, e.options(Repo{Key: "web", Hooks: hooks}))
	ws, err := m.Ensure(ctxT(t), iss("web", "ENG-1"))
	if err != nil {
		t.Fatal(err)
	}
	m.AfterRun(ctxT(t), ws, nil)
	if !strings.Contains(e.logs.String(), "after-run-broke") || !strings.Contains(e.logs.String(), `msg="hook failed"`) {
		t.Errorf("after_run failure not logged with its output:\n%s", e.logs)
	}
	if err := m.Remove(ctxT(t), "web", ws.IssueID, ws.Identifier); err != nil {
		t.Fatalf("Remove after a timed-out before_remove = %v, want nil", err)
	}
	if isDir(ws.Path) {
		t.Error("workspace survived Remove")
	}
	if !strings.Contains(e.logs.String(), `msg="hook timed out"`) {
		t.Errorf("before_remove timeout not logged:\n%s", e.logs)
	}
}

// processGone reports whether pid has exited (a zombie left for init to reap counts as gone).
func processGone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] == "Z"
}

func TestHookTimeoutKillsProcessGroup(t *testing.T) {
	e := newTestEnv(t)
	// The grandchild keeps the output pipe open; only a group kill ends it within the timeout.
	script := "sleep 60 & echo $! > grandchild.pid; wait"
	m := e.manager(t, e.options(Repo{Key: "web", Hooks: Hooks{BeforeRun: script, Timeout: 500 * time.Millisecond}}))
	ws, err := m.Ensure(ctxT(t), iss("web", "ENG-1"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = m.BeforeRun(ctxT(t), ws, nil)
	elapsed := time.Since(start)
	wantCode(t, err, CodeHookTimeout)
	if elapsed > 2*time.Second {
		t.Errorf("BeforeRun returned after %s; the 500ms timeout should end it promptly", elapsed)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(readFile(t, filepath.Join(ws.Path, "grandchild.pid"))))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for !processGone(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("grandchild sleep %d survived the hook timeout", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestHookOutputIsTruncatedInLogs(t *testing.T) {
	e := newTestEnv(t)
	opts := e.options(Repo{Key: "web", Hooks: Hooks{BeforeRun: "head -c 100000 /dev/zero | tr '\\0' x; echo; echo tail-marker; exit 1"}})
	opts.HookOutputLimit = 1024
	m := e.manager(t, opts)
	ws, err := m.Ensure(ctxT(t), iss("web", "ENG-1"))
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, m.BeforeRun(ctxT(t), ws, nil), CodeHookFailed)
	logs := e.logs.String()
	for _, want := range []string{"output_bytes=100013", "output_truncated=true"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q", want)
		}
	}
	if strings.Contains(logs, "tail-marker") || strings.Count(logs, "x") > 1100 {
		t.Errorf("logs carry more than the 1024-byte limit (%d bytes of logs)", len(logs))
	}
}

func TestHookEnvironment(t *testing.T) {
	e := newTestEnv(t)
	secrets := []string{"LINEAR_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GITHUB_TOKEN", "GH_TOKEN",
		"DEPLOY_TOKEN", "STRIPE_API_KEY", "APP_SECRET", "DB_PASSWORD", "npm_token"}
	for _, name := range secrets {
		t.Setenv(name, "hunter2-"+name)
	}
	t.Setenv("KEEP_ME", "visible")
	t.Setenv("SSH_AUTH_SOCK", "/tmp/agent.sock")
	t.Setenv("SLACK_WEBHOOK_URL", "https://hooks.slack.com/x")
	t.Setenv("SYMPHONY_ISSUE_ID", "stale-value-from-parent")
	m := e.manager(t, e.options(Repo{Key: "web", Hooks: Hooks{BeforeRun: `env > "$SYMPHONY_WORKSPACE/env.txt"; pwd -P > cwd.txt`}}))
	ws, err := m.Ensure(ctxT(t), iss("web", "ENG-1"))
	if err != nil {
		t.Fatal(err)
	}
	extra := map[string]string{"SYMPHONY_VERIFICATION_PORT": "4321", "EXTRA_TOKEN": "nope"}
	if err := m.BeforeRun(ctxT(t), ws, extra); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, line := range strings.Split(readFile(t, filepath.Join(ws.Path, "env.txt")), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			env[k] = v
		}
	}
	want := map[string]string{
		"SYMPHONY_HOOK":               HookBeforeRun,
		"SYMPHONY_ISSUE_ID":           "id-ENG-1",
		"SYMPHONY_ISSUE_IDENTIFIER":   "ENG-1",
		"SYMPHONY_REPO_KEY":           "web",
		"SYMPHONY_WORKSPACE":          ws.Path,
		"SYMPHONY_WORKSPACE_KEY":      "ENG-1",
		"SYMPHONY_WORKSPACE_STRATEGY": "clone",
		"SYMPHONY_VERIFICATION_PORT":  "4321",
		"KEEP_ME":                     "visible",
		"SSH_AUTH_SOCK":               "/tmp/agent.sock",
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("hook saw %s=%q, want %q", k, env[k], v)
		}
	}
	for _, name := range append(secrets, "EXTRA_TOKEN", "SLACK_WEBHOOK_URL") {
		if v, ok := env[name]; ok {
			t.Errorf("secret %s reached the hook (%q)", name, v)
		}
	}
	if got := strings.TrimSpace(readFile(t, filepath.Join(ws.Path, "cwd.txt"))); got != ws.Path {
		t.Errorf("hook ran in %s, want %s", got, ws.Path)
	}
}

func TestHookShellFallsBackToSh(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on PATH")
	}
	e := newTestEnv(t)
	onlySh := filepath.Join(e.dir, "bin")
	if err := os.Mkdir(onlySh, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(sh, filepath.Join(onlySh, "sh")); err != nil {
		t.Fatal(err)
	}
	m := e.manager(t, e.options(Repo{Key: "web", Hooks: Hooks{BeforeRun: `echo "$0" > shell.txt`}}))
	ws, err := m.Ensure(ctxT(t), iss("web", "ENG-1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.BeforeRun(ctxT(t), ws, nil); err != nil {
		t.Fatal(err)
	}
	if got := filepath.Base(strings.TrimSpace(readFile(t, filepath.Join(ws.Path, "shell.txt")))); got != "bash" {
		t.Fatalf("with bash on PATH the hook ran under %q", got)
	}
	t.Setenv("PATH", onlySh)
	if err := m.BeforeRun(ctxT(t), ws, nil); err != nil {
		t.Fatal(err)
	}
	if got := filepath.Base(strings.TrimSpace(readFile(t, filepath.Join(ws.Path, "shell.txt")))); got != "sh" {
		t.Errorf("without bash the hook ran under %q, want sh", got)
	}
}

// A hook that backgrounds a process and exits 0 succeeds, and the background process does not
// outlive it, whether or not it held the hook's output open.
func TestHookBackgroundProcessesAreStoppedNotBlamed(t *testing.T) {
	e := newTestEnv(t)
	script := `sleep 30 & echo $! > bg-held.pid; (sleep 31 >/dev/null 2>&1 & echo $! > bg-quiet.pid); echo started`
	m := e.manager(t, e.options(Repo{Key: "web", Hooks: Hooks{BeforeRun: script, Timeout: 20 * time.Second}}))
	ws, err := m.Ensure(ctxT(t), iss("web", "ENG-1"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := m.BeforeRun(ctxT(t), ws, nil); err != nil {
		t.Fatalf("a hook that exited 0 failed: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("hook took %v", d)
	}
	for _, f := range []string{"bg-held.pid", "bg-quiet.pid"} {
		pid, err := strconv.Atoi(strings.TrimSpace(readFile(t, filepath.Join(ws.Path, f))))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for syscall.Kill(pid, 0) == nil {
			if time.Now().After(deadline) {
				t.Fatalf("background process %d (%s) outlived the hook", pid, f)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
