package doctor

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeBin writes an executable shell script into a fresh directory and returns the directory.
func fakeBin(t *testing.T, name, script string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestCheckAgent(t *testing.T) {
	good := fakeBin(t, "codex", `[ "$1" = --version ] && echo "codex-cli 9.9.9" && exit 0; exit 3`+"\n")
	broken := fakeBin(t, "codex", "echo 'bad interpreter' >&2; exit 7\n")
	tests := []struct {
		name, path, command string
		status              Status
		detail, fix         string
	}{
		{name: "on PATH", path: good, command: "codex app-server", status: StatusOK, detail: "codex-cli 9.9.9 (" + filepath.Join(good, "codex") + ")"},
		{name: "absolute path", path: t.TempDir(), command: filepath.Join(good, "codex") + " app-server", status: StatusOK, detail: "codex-cli 9.9.9"},
		{name: "missing", path: t.TempDir(), command: "codex app-server", status: StatusFail,
			detail: `"codex" (the first word of agent.command) is not on PATH`, fix: "npm install -g @openai/codex"},
		{name: "missing absolute path", path: good, command: "/nonexistent/codex app-server", status: StatusFail,
			detail: "/nonexistent/codex (the first word of agent.command) is not an executable file", fix: "real path"},
		{name: "version fails", path: broken, command: "codex app-server", status: StatusWarn, detail: "exit status 7: bad interpreter"},
		{name: "empty command", path: good, command: "  ", status: StatusFail, detail: "agent.command is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PATH", tt.path)
			got := checkAgent(context.Background(), tt.command)
			if got.Status != tt.status || !strings.Contains(got.Detail, tt.detail) || !strings.Contains(got.Fix, tt.fix) {
				t.Fatalf("got %+v\nwant %s, detail containing %q, fix containing %q", got, tt.status, tt.detail, tt.fix)
			}
		})
	}
}

// TestProbeKillsTheProcessGroup checks that a version probe that hangs, and whose child
// hangs too, returns at the deadline with the whole group killed.
func TestProbeKillsTheProcessGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	dir := fakeBin(t, "codex", "sleep 60 &\necho $! > "+pidFile+"\nwait\n")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := probe(ctx, filepath.Join(dir, "codex"), "--version")
	if err == nil || !strings.Contains(err.Error(), "did not answer in time") {
		t.Fatalf("probe error = %v", err)
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Fatalf("probe returned after %s", elapsed)
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	deadline := time.Now().Add(3 * time.Second)
	for !gone(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("the probe's child %d survived", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// gone reports whether pid has exited; a zombie waiting for a reaper counts as exited.
func gone(pid int) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return true
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] == "Z"
}

func TestCheckGitAndSRT(t *testing.T) {
	srt := fakeBin(t, "srt", "echo 0.0.78\n")
	t.Setenv("PATH", srt)
	if got := checkGit(context.Background()); got.Status != StatusFail || !strings.Contains(got.Fix, "install git") {
		t.Errorf("git missing: %+v", got)
	}
	if got := checkSRT(context.Background(), "srt"); got.Status != StatusOK || got.Detail != "srt 0.0.78 ("+filepath.Join(srt, "srt")+")" {
		t.Errorf("srt present: %+v", got)
	}
	if got := checkSRT(context.Background(), "sandbox-runtime --flag"); got.Status != StatusFail || !strings.Contains(got.Fix, "outer_sandbox.command") {
		t.Errorf("srt missing: %+v", got)
	}
	if got := checkBwrap(context.Background(), true); got.Status != StatusFail || !strings.Contains(got.Detail, "srt needs it") {
		t.Errorf("bwrap missing under srt: %+v", got)
	}
	if got := checkBwrap(context.Background(), false); got.Status != StatusWarn || !strings.Contains(got.Fix, "bubblewrap") {
		t.Errorf("bwrap missing for the codex profile: %+v", got)
	}
}

// TestSlowVersionStillReportsTheExecutable checks a hanging --version costs at most
// probeTimeout and still reports the executable as found, within the run's deadline.
func TestSlowVersionStillReportsTheExecutable(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", fakeBin(t, "codex", sleep+" 30\n"))
	start := time.Now()
	got := Run(context.Background(), []Check{{"agent", func(ctx context.Context) Result {
		return checkAgent(ctx, "codex app-server")
	}}}, DefaultTimeout)[0]
	if elapsed := time.Since(start); elapsed >= DefaultTimeout {
		t.Fatalf("took %s, the whole deadline", elapsed)
	}
	if got.Status != StatusWarn || !strings.Contains(got.Detail, "found ") || !strings.Contains(got.Detail, "did not answer in time") {
		t.Fatalf("got %+v, want a warning that names the executable", got)
	}
}
