package codex

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codexfake"
	"github.com/symphony-go/symphony/internal/agent/reaper"
)

// Stop ends the whole tree under Codex, a command that left Codex's session and process group
// and ignores SIGTERM included, and returns only once it is gone: Codex's supervisor sweeps
// everything below it before it exits, and the session waits for the supervisor, telling it
// to stop when Codex outlives the grace after its stdin closed.
func TestStopEndsADetachedCommandThatIgnoresSIGTERM(t *testing.T) {
	if !reaper.Supervised() {
		t.Fatal("this test binary must start agents under a supervisor (TestMain calls reaper.Init)")
	}
	const marker = "987.321"
	fake := shellQuote(os.Args[0])
	for name, command := range map[string]string{
		"codex exits when its stdin closes": "trap '' TERM; setsid sleep " + marker + " & exec " + fake,
		// Codex's process runs on after the fake exits, as a sleep that ignores SIGTERM. The
		// session appends its --config arguments to the command, so they reach the fake as "$@".
		"codex outlives the grace": "trap '' TERM; setsid sleep " + marker + " & exec sh -c '\"$0\" \"$@\"; exec sleep 999.123' " + fake,
	} {
		t.Run(name, func(t *testing.T) { stopEndsTree(t, command, marker) })
	}
}

func stopEndsTree(t *testing.T, command, marker string) {
	rec := &recorder{}
	o := fakeOptions(t, codexfake.FakeHangTurn, rec)
	o.Command = command
	s := New(o)
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	turnErr := make(chan error, 1)
	go func() {
		_, err := s.RunTurn(ctx, "hang")
		turnErr <- err
	}()
	var sleepers []int
	for deadline := time.Now().Add(10 * time.Second); len(sleepers) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the detached sleep never started")
		}
		sleepers = processesWithArgs("sleep", marker)
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	for _, pid := range append(sleepers, processesWithArgs("sleep", "999.123")...) {
		if alive(pid) {
			t.Errorf("the detached sleep %d outlived Stop", pid)
		}
	}
	wantTurnCancelled(t, turnErr)
}

// wantTurnCancelled waits for the error of a RunTurn that Stop interrupted: turn_cancelled.
func wantTurnCancelled(t *testing.T, turnErr <-chan error) {
	t.Helper()
	select {
	case err := <-turnErr:
		if agent.CodeOf(err) != agent.CodeTurnCancelled {
			t.Fatalf("RunTurn after Stop = %v, want turn_cancelled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RunTurn did not return after Stop")
	}
}
