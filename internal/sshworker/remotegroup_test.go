package sshworker

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/testenv"
)

// runRemote runs remote on host through the installed ssh and returns its exit code and stderr.
func runRemote(t *testing.T, host string, remote []string) (int, string) {
	t.Helper()
	argv, err := Transport{}.Argv(Host{Name: host}, remote)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := sshCommand(ctx, argv)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0, errOut.String()
	case errors.As(err, &exitErr):
		return exitErr.ExitCode(), errOut.String()
	}
	t.Fatalf("%q: %v", argv, err)
	return 0, ""
}

// TestRemoteKillReachesWhatTheLocalKillCannot starts an agent tree in its own session (as sshd
// does), shows that killing the local ssh leaves it running, then kills it by its recorded group.
func TestRemoteKillReachesWhatTheLocalKillCannot(t *testing.T) {
	installFakeSSH(t)
	testenv.Tool(t, "setsid")
	testenv.Tool(t, "ps")
	pgidFile := filepath.Join(t.TempDir(), AgentGroupFile)
	cmd, cancel, pgid := startAgentTree(t, pgidFile, "sleep 300 & sleep 300 & echo ready; wait")
	if pgid == cmd.Process.Pid {
		t.Fatal("the remote side ran in the local ssh's group; the test would prove nothing")
	}
	if n := len(groupMembers(t, pgid)); n < 3 {
		t.Fatalf("remote group %d has %d live processes, want the shell and two sleeps", pgid, n)
	}

	cancel()
	_ = cmd.Wait()
	if len(groupMembers(t, pgid)) == 0 {
		t.Fatal("the remote group died with the local ssh; the fake does not model a remote host")
	}

	kill, err := RemoteKillCommand(pgidFile)
	if err != nil {
		t.Fatal(err)
	}
	if code, stderr := runRemote(t, "w1", kill); code != 0 {
		t.Fatalf("remote kill exited %d: %s", code, stderr)
	}
	deadline := time.Now().Add(5 * time.Second)
	for left := groupMembers(t, pgid); len(left) > 0; left = groupMembers(t, pgid) {
		if time.Now().After(deadline) {
			t.Fatalf("processes %v of remote group %d survived the remote kill", left, pgid)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := os.Stat(pgidFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("group record left behind: %v", err)
	}
	if code, stderr := runRemote(t, "w1", kill); code != 0 {
		t.Fatalf("a second kill with no record exited %d: %s", code, stderr)
	}
}

// startAgentTree starts script as an agent under RemoteGroupCommand on a fake host that runs
// it in a session of its own, as sshd does, and waits for its "ready" line. It returns the
// local ssh, the cancel that kills it, and the agent's recorded process group, which the
// test's end kills.
func startAgentTree(t *testing.T, pgidFile, script string) (*exec.Cmd, context.CancelFunc, int) {
	t.Helper()
	remote, err := RemoteGroupCommand(pgidFile, []string{"sh", "-c", script})
	if err != nil {
		t.Fatal(err)
	}
	return startRemoteTree(t, remote, pgidFile)
}

// startRemoteTree runs remote, a command that records its process group in pgidFile, on a
// fake host that runs it in a session of its own, as sshd does, and waits for its "ready"
// line. It returns the local ssh, the cancel that kills it, and the recorded process group,
// which the test's end kills.
func startRemoteTree(t *testing.T, remote []string, pgidFile string) (*exec.Cmd, context.CancelFunc, int) {
	t.Helper()
	argv, err := Transport{}.Argv(Host{Name: "detached-w1"}, remote)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	cmd := sshCommand(ctx, argv)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() })
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("remote agent did not start: %q, %v", line, err)
	}
	raw, err := os.ReadFile(pgidFile)
	if err != nil {
		t.Fatal(err)
	}
	pgid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil || pgid <= 1 {
		t.Fatalf("recorded group %q", raw)
	}
	t.Cleanup(func() { _ = syscall.Kill(-pgid, syscall.SIGKILL) })
	return cmd, cancel, pgid
}

func TestRemoteGroupFailures(t *testing.T) {
	installFakeSSH(t)
	testenv.Tool(t, "ps")
	dir := t.TempDir()

	start, err := RemoteGroupCommand(filepath.Join(dir, "missing-dir", "agent.pgid"), []string{"true"})
	if err != nil {
		t.Fatal(err)
	}
	code, stderr := runRemote(t, "w1", start)
	if code != 125 || !strings.Contains(stderr, "cannot record the remote process group") {
		t.Fatalf("unwritable record: exit %d, %q; want 125", code, stderr)
	}
	if v := Classify(Exit{Code: code, Stderr: []byte(stderr)}); !v.HostFailure || v.ConsumesRetry {
		t.Fatalf("a start that never reached the agent should be the host's failure: %+v", v)
	}

	for _, content := range []string{"1\n", "12x\n", "\n"} {
		bad := filepath.Join(dir, "bad.pgid")
		if err := os.WriteFile(bad, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		kill, err := RemoteKillCommand(bad)
		if err != nil {
			t.Fatal(err)
		}
		if code, _ := runRemote(t, "w1", kill); code != 2 {
			t.Errorf("record %q: kill exited %d, want 2 (refused)", content, code)
		}
	}

	for _, p := range []string{"relative/agent.pgid", "/tmp/$(id)", "/tmp/../etc/x"} {
		if _, err := RemoteGroupCommand(p, []string{"true"}); err == nil {
			t.Errorf("RemoteGroupCommand accepted %q", p)
		}
		if _, err := RemoteKillCommand(p); err == nil {
			t.Errorf("RemoteKillCommand accepted %q", p)
		}
	}
	if _, err := RemoteGroupCommand("/tmp/x", nil); err == nil {
		t.Error("empty agent argv accepted")
	}
}

// TestReapKillsAndRemovesLeftSessions leaves two sessions behind as a killed service would:
// one whose agent tree still runs, one whose agent is gone. The reap kills the live tree,
// removes both directories and leaves the sessions root and files beside it alone.
func TestReapKillsAndRemovesLeftSessions(t *testing.T) {
	installFakeSSH(t)
	testenv.Tool(t, "setsid")
	testenv.Tool(t, "ps")
	root := filepath.Join(t.TempDir(), "sessions")
	live, dead := filepath.Join(root, "codex-session-a"), filepath.Join(root, "claude-session-b")
	for _, d := range []string{live, dead} {
		if err := os.MkdirAll(filepath.Join(d, "home"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dead, AgentGroupFile), []byte("999999\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, ".keep"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd, cancel, pgid := startAgentTree(t, filepath.Join(live, AgentGroupFile), "sleep 300 & echo ready; wait")
	cancel()
	_ = cmd.Wait()
	if len(groupMembers(t, pgid)) == 0 {
		t.Fatal("the left agent died with its ssh; nothing is left to reap")
	}

	reap, err := ReapSessionsCommand(root)
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ := runRemoteOutput(t, reap)
	if code != 0 || out != "2 0\n" {
		t.Fatalf("reap exited %d printing %q, want 0 and \"2 0\" (removed, kept)", code, out)
	}
	deadline := time.Now().Add(5 * time.Second)
	for left := groupMembers(t, pgid); len(left) > 0; left = groupMembers(t, pgid) {
		if time.Now().After(deadline) {
			t.Fatalf("processes %v of the left session survived the reap", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, d := range []string{live, dead} {
		if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s survived the reap: %v", d, err)
		}
	}
	if _, err := os.Stat(filepath.Join(root, ".keep")); err != nil {
		t.Errorf("the reap removed what is not a session: %v", err)
	}
	if code, out, _ := runRemoteOutput(t, reap); code != 0 || out != "0 0\n" {
		t.Fatalf("second reap exited %d printing %q, want 0 and \"0 0\"", code, out)
	}
	gone, err := ReapSessionsCommand(filepath.Join(root, "never-made"))
	if err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runRemoteOutput(t, gone); code != 0 || out != "0 0\n" {
		t.Fatalf("reap of a missing root exited %d printing %q, want 0 and \"0 0\"", code, out)
	}
	for _, p := range []string{"relative", "/tmp/$(id)", "/tmp/../etc"} {
		if _, err := ReapSessionsCommand(p); err == nil {
			t.Errorf("ReapSessionsCommand accepted %q", p)
		}
	}
}

func TestParseReapOutput(t *testing.T) {
	for out, want := range map[string][2]int{"3 1\n": {3, 1}, "Welcome to the host\n0 0\n": {0, 0}, "12 0": {12, 0}} {
		removed, kept, err := ParseReapOutput([]byte(out))
		if err != nil || removed != want[0] || kept != want[1] {
			t.Errorf("ParseReapOutput(%q) = %d, %d, %v; want %d, %d", out, removed, kept, err, want[0], want[1])
		}
	}
	for _, out := range []string{"", "3\n", "three 1\n", "3 one\n"} {
		if _, _, err := ParseReapOutput([]byte(out)); err == nil {
			t.Errorf("ParseReapOutput(%q) accepted it", out)
		}
	}
}
