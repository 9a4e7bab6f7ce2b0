package orchestrator

import (
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/audit"
)

// Commands run faster than the preview budget each get a whole record in order, but only the
// interval's first few successes and first few failures keep their output; the next interval
// starts a new budget.
func TestCommandOutputPreviewsAreBoundedPerInterval(t *testing.T) {
	st, log, root := durableLog(t)
	rec := newRecorder(slog.New(slog.NewTextHandler(io.Discard, nil)), log, st)
	stop := runRecorder(t, rec)
	w := &worker{d: Deps{Store: st, Audit: log, Clock: SystemClock{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, rec: rec}
	sink := w.sink(func(error) {}, attemptJob{runID: "run-1", issue: newIssue(1, "In Progress")}, 0, 0, func(workerUpdate) {})

	// Each interval: 20 successes, then 20 failures, 10 ms apart; the second interval
	// starts a full interval after the first command.
	const perKind = 20
	type sent struct {
		command string
		failed  bool
	}
	var commands []sent
	for interval := range 2 {
		start := epoch.Add(time.Duration(interval) * outputSummaryInterval)
		for i := range 2 * perKind {
			code := 0
			if i >= perKind {
				code = 1
			}
			c := sent{command: fmt.Sprintf("interval %d cmd %d", interval, i), failed: code != 0}
			commands = append(commands, c)
			sink.observe(agent.Event{Kind: agent.EventNotification, Time: start.Add(time.Duration(i) * 10 * time.Millisecond), SessionID: "s-1",
				Method: "item/completed", Activity: activity(agent.ActivityCommand, agent.ActivityDetails{
					Command: c.command, Status: "completed", ExitCode: &code, Output: "output of " + c.command})})
		}
	}
	stop()

	var got []audit.Record
	for _, r := range verifiedRecords(t, log, st, root) {
		if r.EventType == audit.EventCommandExecuted {
			got = append(got, r)
		}
	}
	if len(got) != len(commands) {
		t.Fatalf("%d command records for %d commands", len(got), len(commands))
	}
	for i, r := range got {
		c := commands[i]
		if r.Details["command"] != c.command {
			t.Fatalf("record %d is %q, want %q", i, r.Details["command"], c.command)
		}
		nth, limit := i%(2*perKind), commandPreviewsPerInterval
		if c.failed {
			nth, limit = nth-perKind, failedCommandPreviewsPerInterval
		}
		preview, kept := r.Details["output_preview"]
		if want := nth < limit; kept != want {
			t.Errorf("%q (failed %v): output preview kept %v, want %v", c.command, c.failed, kept, want)
		}
		if kept && preview != "output of "+c.command {
			t.Errorf("%q: preview %q", c.command, preview)
		}
	}
}
