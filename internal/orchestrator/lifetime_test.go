package orchestrator

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/reaper"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/testenv"
	"github.com/symphony-go/symphony/internal/workspace"
)

// startStray starts a process tree that ignores SIGTERM, as an agent left by a dead service
// might, and kills it when the test ends.
func startStray(t *testing.T, marker string) (*exec.Cmd, []reaper.Identity) {
	t.Helper()
	cmd := exec.Command("sh", "-c", `trap "" TERM; sleep `+marker+` & wait`)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	for end := time.Now().Add(waitLimit); len(reaper.Tree(cmd.Process.Pid)) < 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("the stray tree never formed")
		}
	}
	var tree []reaper.Identity
	for _, p := range reaper.Tree(cmd.Process.Pid) {
		id, err := reaper.Identify(p)
		if err != nil {
			t.Fatal(err)
		}
		tree = append(tree, id)
	}
	return cmd, tree
}

func TestRestartEndsThePredecessorsAgentsBeforeDispatching(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	_, stray := startStray(t, "1101")
	_, reused := startStray(t, "1102")
	for i, agentID := range []reaper.Identity{
		stray[0],
		// A recorded agent whose pid now belongs to another process (another start time).
		{PID: reused[0].PID, StartTime: reused[0].StartTime + 7},
	} {
		is := newIssue(i+1, "In Progress")
		r, err := h.store.StartRun(ctx, store.Run{RepoKey: "app", IssueID: is.ID, IssueIdentifier: is.Identifier})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.store.SetRunAgent(ctx, "app", r.ID, agentID.PID, int64(agentID.StartTime)); err != nil {
			t.Fatal(err)
		}
	}
	h.start()
	for _, id := range stray {
		if id.Alive() {
			t.Fatalf("the predecessor's agent process %d was still alive at the first poll", id.PID)
		}
	}
	for _, id := range reused {
		if !id.Alive() {
			t.Fatalf("process %d only reused a recorded pid but was killed", id.PID)
		}
	}
	if got := h.runStatuses("id-1"); len(got) != 1 || got[0] != store.StatusInterrupted {
		t.Fatalf("the predecessor's run has statuses %v, want interrupted", got)
	}
}

func TestLockedWorkspaceIsRetriedLaterWithoutStartingAnAgent(t *testing.T) {
	h := newHarness(t)
	held, err := h.ws.Lock("app", "ENG-1")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	h.put(newIssue(1, "In Progress"))
	h.start()
	s := h.waitFor("the locked-workspace retry", retrying("id-1", 1))
	r, _ := s.Retry("id-1")
	if !strings.Contains(r.Error, workspace.CodeLocked) || !strings.Contains(r.Error, "symphony pid") {
		t.Fatalf("retry error %q does not say the workspace is locked and by whom", r.Error)
	}
	if n := len(h.agents.SessionsFor("ENG-1")); n != 0 {
		t.Fatalf("%d agent sessions started in a locked workspace", n)
	}
	if strings.Contains(h.logs.String(), `"level":"ERROR"`) {
		t.Fatalf("a locked workspace was logged as an error:\n%s", h.logs)
	}
	// Still locked when the retry falls due: the issue waits again at the same attempt and
	// back-off, since no agent ever ran.
	again := waitsAgainAtTheSameAttempt(t, h, r, "the lock")
	held.Close()
	h.advance(again.DueAt.Sub(h.clock.Now()))
	h.eventually("the agent once the lock is free", func() bool { return len(h.agents.SessionsFor("ENG-1")) == 1 })
}

func TestAttemptHoldsTheWorkspaceLockUntilAfterRun(t *testing.T) {
	h := newHarness(t)
	h.startWaiting(newIssue(1, "In Progress"))
	if l, err := h.ws.Lock("app", "ENG-1"); err == nil {
		l.Close()
		t.Fatal("the workspace of a running attempt could be locked by someone else")
	} else if workspace.CodeOf(err) != workspace.CodeLocked {
		t.Fatalf("lock during the attempt = %v, want %s", err, workspace.CodeLocked)
	}
}

// A primary clone another process holds (another service, a worker host's script) keeps the
// worktree from being prepared: like a locked workspace, the issue waits at the first back-off
// step without using up an attempt, and runs once the clone is free.
func TestBusyPrimaryCloneIsRetriedLaterWithoutUsingAnAttempt(t *testing.T) {
	testenv.Tool(t, "git")
	h := newHarness(t)
	dir := t.TempDir()
	primary := filepath.Join(dir, "primary")
	testenv.Git(t, dir, "init", "-q", "-b", "main", primary)
	testenv.Git(t, primary, "commit", "-q", "--allow-empty", "-m", "seed")
	ws, err := workspace.New(workspace.Options{Root: h.wsRoot, PrimaryLockTimeout: 50 * time.Millisecond,
		Repos: []workspace.Repo{{Key: "app", Strategy: workspace.StrategyWorktree, PrimaryClone: primary}}})
	if err != nil {
		t.Fatal(err)
	}
	h.ws = ws
	held, err := os.OpenFile(filepath.Join(primary, ".git", workspace.PrimaryLockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := syscall.Flock(int(held.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	h.put(newIssue(1, "In Progress"))
	h.start()
	s := h.waitFor("the busy-clone retry", retrying("id-1", 1))
	r, _ := s.Retry("id-1")
	if !strings.Contains(r.Error, workspace.CodePrimaryCloneBusy) {
		t.Fatalf("retry error %q does not say the primary clone is busy", r.Error)
	}
	if logs := h.logs.String(); !strings.Contains(logs, "primary clone's lock is held by another process; trying again later") ||
		strings.Contains(logs, "in use by another agent") {
		t.Fatalf("the log does not say the primary clone is busy, or blames an agent:\n%s", logs)
	}
	if n := len(h.agents.SessionsFor("ENG-1")); n != 0 {
		t.Fatalf("%d agent sessions started without a workspace", n)
	}
	// Still busy when the retry falls due: the issue waits again at the same attempt and
	// back-off.
	again := waitsAgainAtTheSameAttempt(t, h, r, "the clone")
	held.Close()
	h.advance(again.DueAt.Sub(h.clock.Now()))
	h.eventually("the agent once the clone is free", func() bool { return len(h.agents.SessionsFor("ENG-1")) == 1 })
}

// waitsAgainAtTheSameAttempt lets id-1's retry r fall due while what it waits for is still
// held, and checks that it waits again at attempt 1 with the same back-off, as nothing ran;
// it returns the new retry.
func waitsAgainAtTheSameAttempt(t *testing.T, h *harness, r RetryRow, waitingFor string) RetryRow {
	t.Helper()
	first := r.DueAt.Sub(h.clock.Now())
	h.advance(first)
	s := h.waitFor("the second wait for "+waitingFor, func(s *Snapshot) bool {
		again, ok := s.Retry("id-1")
		return ok && again.DueAt.After(r.DueAt)
	})
	again, _ := s.Retry("id-1")
	if again.Attempt != 1 || again.DueAt.Sub(h.clock.Now()) != first {
		t.Fatalf("a second wait for %s is attempt %d due in %s, want attempt 1 due in %s", waitingFor, again.Attempt, again.DueAt.Sub(h.clock.Now()), first)
	}
	return again
}
