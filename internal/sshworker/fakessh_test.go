package sshworker

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/testenv"
)

// fakeSSH stands in for OpenSSH: it records its argv, checks it has the shape Argv builds,
// drops the options and runs the one command string locally with sh -c, as sshd hands it to
// the login shell. A destination starting with "down" behaves like a host refusing connections;
// one starting with "detached" runs the command in a new session, as sshd does on a real host,
// so killing the local ssh's process group does not reach it.
const fakeSSH = `#!/bin/sh
printf '%s\000' "$@" > "$FAKE_SSH_ARGV"
while [ $# -gt 0 ]; do
	case "$1" in
	-T) shift ;;
	-F|-o|-p) shift 2 ;;
	-*) echo "fake ssh: unexpected option $1" >&2; exit 255 ;;
	*) break ;;
	esac
done
dest=$1
shift
[ "$1" = "--" ] || { echo "fake ssh: expected -- after $dest" >&2; exit 255; }
shift
[ $# -eq 1 ] || { echo "fake ssh: expected one command string, got $#" >&2; exit 255; }
case "$dest" in
down*) echo "ssh: connect to host $dest port 22: Connection refused" >&2; exit 255 ;;
detached*) exec setsid -w sh -c "$1" ;;
esac
exec sh -c "$1"
`

// installFakeSSH puts the fake ssh first on PATH and returns the file its argv is recorded in.
func installFakeSSH(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		testenv.Missing(t, "/bin/sh")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ssh"), []byte(fakeSSH), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	record := filepath.Join(dir, "argv")
	t.Setenv("FAKE_SSH_ARGV", record)
	return record
}

// sshCommand starts argv in its own process group, killed as a group when ctx ends.
func sshCommand(ctx context.Context, argv []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	return cmd
}

func TestFakeSSHRunsTheExactArgv(t *testing.T) {
	record := installFakeSSH(t)
	h, err := ParseHost("ci@[::1]:2201")
	if err != nil {
		t.Fatal(err)
	}
	tr := Transport{ConfigFile: "/etc/symphony/ssh_config"}
	argv, err := tr.Argv(h, printArgs(hostileArgs...))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	cmd := sshCommand(ctx, argv)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s", err, errOut.String())
	}
	got := strings.Split(out.String(), "\x00")
	if got = got[:len(got)-1]; !slices.Equal(got, hostileArgs) {
		t.Fatalf("remote argv\n got %q\nwant %q", got, hostileArgs)
	}
	raw, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	recorded := strings.Split(string(raw), "\x00")
	if recorded = recorded[:len(recorded)-1]; !slices.Equal(recorded, argv[1:]) {
		t.Fatalf("ssh saw %q, want %q", recorded, argv[1:])
	}
}

func TestFakeSSHRefusedHostIsAHostFailure(t *testing.T) {
	installFakeSSH(t)
	p, err := NewPool([]Host{{Name: "down1"}, {Name: "up1"}}, 1, policy)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	for attempt := range policy.FailuresBeforeDown {
		argv, err := Transport{}.Argv(Host{Name: "down1"}, []string{"codex", "app-server"})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var errOut bytes.Buffer
		cmd := sshCommand(ctx, argv)
		cmd.Stderr = &errOut
		runErr := cmd.Run()
		cancel()
		var exitErr *exec.ExitError
		if !errors.As(runErr, &exitErr) {
			t.Fatalf("want an exit status, got %v", runErr)
		}
		v := Classify(Exit{Code: exitErr.ExitCode(), Stderr: errOut.Bytes()})
		if !v.HostFailure || v.ConsumesRetry || v.Code != CodeWorkerHostUnavailable || !strings.Contains(v.Reason, "Connection refused") {
			t.Fatalf("verdict %+v", v)
		}
		wentDown, _, err := p.RecordCheck("down1", now, errors.New(v.Reason))
		if err != nil || wentDown != (attempt == policy.FailuresBeforeDown-1) {
			t.Fatalf("attempt %d: wentDown=%v err=%v", attempt, wentDown, err)
		}
	}
	if got, err := p.Pick("down1"); err != nil || got.Name != "up1" {
		t.Fatalf("retry after a refused host picked %v, %v; want up1", got, err)
	}
}

func TestKilledProcessGroupLeavesNothing(t *testing.T) {
	installFakeSSH(t)
	argv, err := Transport{}.Argv(Host{Name: "w1"}, []string{"sh", "-c", "sleep 300 & sleep 300 & echo ready; wait"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := sshCommand(ctx, argv)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgid := cmd.Process.Pid
	t.Cleanup(func() { _ = syscall.Kill(-pgid, syscall.SIGKILL) })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "ready\n" {
		t.Fatalf("remote command did not start: %q, %v", line, err)
	}
	if n := len(groupMembers(t, pgid)); n < 3 {
		t.Fatalf("expected ssh, sh and two sleeps in the group, found %d live processes", n)
	}
	cancel()
	_ = cmd.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for left := groupMembers(t, pgid); len(left) > 0; left = groupMembers(t, pgid) {
		if time.Now().After(deadline) {
			t.Fatalf("processes %v of group %d survived the kill", left, pgid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// groupMembers lists the live (non-zombie) processes in process group pgid, read from /proc.
func groupMembers(t *testing.T, pgid int) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		testenv.Missing(t, "/proc")
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // exited while we looked
		}
		// Fields after the parenthesised command name: state ppid pgrp ...
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) > 2 && fields[0] != "Z" && fields[2] == strconv.Itoa(pgid) {
			pids = append(pids, pid)
		}
	}
	return pids
}
