package verification

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

	"github.com/symphony-go/symphony/internal/agent/reaper"
	"github.com/symphony-go/symphony/internal/verification/verificationtest"
)

// devServer is the test server binary, built once per test binary.
func devServer(t *testing.T) string { return verificationtest.Server(t) }

// freePorts finds n consecutive ports nothing listens on.
func freePorts(t *testing.T, n int) int {
	t.Helper()
	for base := 31000 + os.Getpid()%20000; base < 65000; base += n + 7 {
		ok := true
		for p := base; p < base+n && ok; p++ {
			ok = !listening(p)
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free port range")
	return 0
}

func spec(t *testing.T, args string, healthTimeout time.Duration) Spec {
	return Spec{Command: devServer(t) + " " + args, Dir: t.TempDir(), Port: freePorts(t, 1), Env: os.Environ(),
		HealthURL: "http://127.0.0.1:$SYMPHONY_VERIFICATION_PORT/health", HealthTimeout: healthTimeout,
		StopSignal: "TERM", StopTimeout: 2 * time.Second}
}

// pidIn reads a pid file the test server wrote, waiting briefly for it.
func pidIn(t *testing.T, dir, name string) reaper.Identity {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if pid, convErr := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && convErr == nil && pid > 0 {
			id, err := reaper.Identify(pid)
			if err != nil {
				return reaper.Identity{PID: pid}
			}
			return id
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared in %s", name, dir)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// killLater makes sure a test's processes die even when it fails midway.
func killLater(t *testing.T, ids ...reaper.Identity) {
	t.Cleanup(func() {
		for _, id := range ids {
			if id.Alive() {
				syscall.Kill(id.PID, syscall.SIGKILL)
			}
		}
	})
}

func waitGone(t *testing.T, what string, id reaper.Identity) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for id.Alive() {
		if time.Now().After(deadline) {
			t.Fatalf("%s (pid %d) is still alive", what, id.PID)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestHealthyServerAndItsChildrenAreGoneAfterStop(t *testing.T) {
	s := spec(t, "-child", 10*time.Second)
	srv, err := Start(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	leader, child := pidIn(t, s.Dir, "server.pid"), pidIn(t, s.Dir, "child.pid")
	killLater(t, leader, child)
	if !child.Alive() {
		t.Fatal("the server's child is not running")
	}
	if pgid, _ := syscall.Getpgid(leader.PID); pgid == syscall.Getpgrp() {
		t.Fatal("the dev server runs in the test's process group")
	}
	srv.Stop()
	waitGone(t, "dev server", leader)
	waitGone(t, "dev server child", child)
	srv.Stop()
}

func TestUnhealthyServerFailsVerificationAndIsStopped(t *testing.T) {
	s := spec(t, "-status 500 -child", time.Second)
	start := time.Now()
	_, err := Start(context.Background(), s)
	var verr *Error
	if !errors.As(err, &verr) || verr.Code != CodeFailed || !strings.Contains(err.Error(), "HTTP 500") {
		t.Fatalf("error %v, want verification_failed naming the last answer", err)
	}
	if took := time.Since(start); took < time.Second || took > 6*time.Second {
		t.Errorf("gave up after %s with a 1 s health timeout", took)
	}
	leader, child := pidIn(t, s.Dir, "server.pid"), pidIn(t, s.Dir, "child.pid")
	killLater(t, leader, child)
	waitGone(t, "unhealthy dev server", leader)
	waitGone(t, "unhealthy dev server's child", child)
}

func TestSlowServerBecomesHealthyWithinTheTimeout(t *testing.T) {
	s := spec(t, "-delay 1500ms", 10*time.Second)
	start := time.Now()
	srv, err := Start(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	if took := time.Since(start); took < 1500*time.Millisecond {
		t.Errorf("healthy after %s, before the server listened", took)
	}
}

func TestServerExitingBeforeHealthyFailsAtOnce(t *testing.T) {
	s := spec(t, "", 20*time.Second)
	s.Command = "exit 3"
	start := time.Now()
	_, err := Start(context.Background(), s)
	if err == nil || !strings.Contains(err.Error(), "exited") || time.Since(start) > 5*time.Second {
		t.Fatalf("error %v after %s", err, time.Since(start))
	}
}

func TestServerIgnoringTheStopSignalIsKilled(t *testing.T) {
	s := spec(t, "-ignore-term", 10*time.Second)
	// exec makes the server the group leader itself, so the stop signal reaches it first
	// rather than a shell that would die of it.
	s.Command = "exec " + s.Command
	s.StopTimeout = 300 * time.Millisecond
	srv, err := Start(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	leader := pidIn(t, s.Dir, "server.pid")
	killLater(t, leader)
	start := time.Now()
	srv.Stop()
	waitGone(t, "dev server ignoring SIGTERM", leader)
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Errorf("stopped after %s: SIGTERM should have been ignored", took)
	}
}

func TestHealthURLAndSignalSettings(t *testing.T) {
	if got := HealthURL("http://127.0.0.1:${SYMPHONY_VERIFICATION_PORT}/a?p=$SYMPHONY_VERIFICATION_PORT", 4001); got != "http://127.0.0.1:4001/a?p=4001" {
		t.Errorf("HealthURL = %s", got)
	}
	for name, want := range map[string]syscall.Signal{"TERM": syscall.SIGTERM, "sigint": syscall.SIGINT, "KILL": syscall.SIGKILL} {
		if got, err := Signal(name); err != nil || got != want {
			t.Errorf("Signal(%q) = %v, %v", name, got, err)
		}
	}
	if _, err := Signal("USR9"); err == nil || !strings.Contains(err.Error(), "stop_signal") {
		t.Errorf("an unknown signal gave %v", err)
	}
}
