package codex

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codexfake"
	"github.com/symphony-go/symphony/internal/agent/reaper"
	"github.com/symphony-go/symphony/internal/secretscan"
)

// runningOwner stands for a second Symphony instance sharing the state dir: a live process
// other than this one, killed when the test ends.
func runningOwner(t *testing.T) reaper.Identity {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	id, err := reaper.Identify(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// exitedOwner is a process that has run and exited, with the start time it had.
func exitedOwner(t *testing.T) reaper.Identity {
	t.Helper()
	cmd := exec.Command("sleep", "10")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	id, err := reaper.Identify(cmd.Process.Pid)
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestReapSessionDirsRemovesOnlyDeadOwners(t *testing.T) {
	self, err := reaper.Self()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	old := time.Now().Add(-2 * ownerlessGrace)
	cases := []struct {
		name    string
		owner   string
		mtime   time.Time
		removed bool
	}{
		{"live owner", formatOwner(self), time.Time{}, false},
		{"another live instance", formatOwner(runningOwner(t)), time.Time{}, false},
		{"dead owner", formatOwner(exitedOwner(t)), time.Time{}, true},
		{"pid reused: same pid, other start time", formatOwner(reaper.Identity{PID: self.PID, StartTime: self.StartTime + 1}), time.Time{}, true},
		{"no owner file yet, just created", "", time.Time{}, false},
		{"no owner file, long abandoned", "", old, true},
		{"garbled owner, long abandoned", "not an owner", old, true},
	}
	paths := map[string]string{}
	for i, c := range cases {
		path := filepath.Join(dir, sessionDirPrefix+string(rune('a'+i)))
		paths[c.name] = path
		if err := os.MkdirAll(filepath.Join(path, "home", "sessions"), 0o700); err != nil {
			t.Fatal(err)
		}
		// A read-only directory inside, as tools can leave, must not stop the removal.
		if err := os.Chmod(filepath.Join(path, "home", "sessions"), 0o500); err != nil {
			t.Fatal(err)
		}
		if c.owner != "" {
			if err := os.WriteFile(filepath.Join(path, ownerFileName), []byte(c.owner), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if !c.mtime.IsZero() {
			if err := os.Chtimes(path, c.mtime, c.mtime); err != nil {
				t.Fatal(err)
			}
		}
	}
	other := filepath.Join(dir, "srt-settings-x")
	if err := os.Mkdir(other, 0o700); err != nil {
		t.Fatal(err)
	}
	// Directories that carry their owner in their name, as this version makes them; the
	// name is what counts, not an owner file.
	named := []struct {
		name    string
		owner   reaper.Identity
		removed bool
	}{
		{"named: live owner", self, false},
		{"named: another live instance", runningOwner(t), false},
		{"named: dead owner, live owner file", exitedOwner(t), true},
		{"named: pid reused", reaper.Identity{PID: self.PID, StartTime: self.StartTime + 1}, true},
	}
	for i, c := range named {
		path := filepath.Join(dir, fmt.Sprintf("%s%d-%d-%d", sessionDirPrefix, c.owner.PID, c.owner.StartTime, i))
		paths[c.name] = path
		if err := os.MkdirAll(filepath.Join(path, "home"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(path, ownerFileName), []byte(formatOwner(self)), 0o600); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct {
			name    string
			owner   string
			mtime   time.Time
			removed bool
		}{name: c.name, removed: c.removed})
	}
	removed, err := ReapSessionDirs(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		_, statErr := os.Stat(paths[c.name])
		if gone := os.IsNotExist(statErr); gone != c.removed || slices.Contains(removed, paths[c.name]) != c.removed {
			t.Errorf("%s: removed = %v (reported %v), want %v", c.name, gone, slices.Contains(removed, paths[c.name]), c.removed)
		}
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("a directory that is not a codex session dir was touched: %v", err)
	}
	if removed, err := ReapSessionDirs(filepath.Join(dir, "missing")); err != nil || removed != nil {
		t.Errorf("missing dir: %v, %v", removed, err)
	}
}

func TestSessionDirHasOwnerAndGoesWhenCodexCrashes(t *testing.T) {
	checkNoGoroutineLeak(t)
	rec := &recorder{}
	o := fakeOptions(t, codexfake.FakeCrashMidTurn, rec)
	s := New(o)
	ctx := context.Background()
	defer s.Stop(ctx)
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	root := s.dirs.root
	owner, ok := ownerOfName(filepath.Base(root))
	if !ok || owner.PID != os.Getpid() || !owner.Alive() {
		t.Fatalf("session dir %s does not name this process (pid and start time) as its owner", root)
	}
	if _, err := os.Stat(filepath.Join(root, ownerFileName)); !os.IsNotExist(err) {
		t.Fatalf("owner file: %v; want none, the name carries the owner", err)
	}
	if _, err := s.RunTurn(ctx, "go"); agent.CodeOf(err) != agent.CodePortExit {
		t.Fatalf("turn = %v, want port_exit", err)
	}
	// Not stopped yet: the crash alone removes the session's files.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(root); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("session dir %s still exists after codex crashed", root)
		}
	}
}

func TestThreadNameIsRedacted(t *testing.T) {
	const token = "ghp_0123456789abcdefghijABCDEFGHIJ012345"
	const configured = "operator-configured-value-42"
	rec := &recorder{}
	o := fakeOptions(t, codexfake.FakeComplete, rec)
	o.Env = append(o.Env, codexfake.EnvLog+"="+filepath.Join(o.StateDir, "fake.log"))
	o.IssueTitle = "Rotate " + token + "\nand " + configured
	o.Secrets = secretscan.New(configured)
	s := New(o)
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	_ = s.Stop(ctx)
	log, _ := os.ReadFile(filepath.Join(o.StateDir, "fake.log"))
	if !strings.Contains(string(log), `"method":"thread/name/set"`) {
		t.Fatalf("no thread/name/set was sent:\n%s", log)
	}
	for _, secret := range []string{token, configured} {
		if strings.Contains(string(log), secret) {
			t.Errorf("Codex received %q in the thread name:\n%s", secret, log)
		}
	}
	if !strings.Contains(string(log), `SYM-1: Rotate [REDACTED:`) {
		t.Errorf("thread name was not sent redacted on one line:\n%s", log)
	}
}
