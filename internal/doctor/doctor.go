// Package doctor checks, before any work starts, that what a Symphony run depends on is in
// place: the agent executable and its credentials, git and the sandbox helpers, the tracker,
// writable roots and free disk. `symphony doctor` prints every verdict with the exact fix; the
// service runs the same checks when it starts and refuses to start on a failure that no retry
// can fix, instead of printing "turn started" and waiting for a timeout.
package doctor

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Status is a check's verdict.
type Status string

// The verdicts, from best to worst.
const (
	StatusOK   Status = "ok"
	StatusWarn Status = "warn"
	StatusFail Status = "fail"
)

// DefaultTimeout bounds a whole run of the checks: they run concurrently, so the slowest one
// (a tracker request or a version probe) sets the cost.
const DefaultTimeout = 5 * time.Second

// Result is one check's verdict. Fix names the exact action that clears a warning or failure.
type Result struct {
	Check  string `json:"check"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix"`
	// Transient marks a failure that may clear by itself (an unreachable tracker, a disk the
	// free-space guard waits out): the service warns and starts anyway.
	Transient bool `json:"-"`
}

// Line renders the result as one line: status, check name, detail and, when set, the fix.
func (r Result) Line() string {
	line := fmt.Sprintf("%-4s  %-17s  %s", r.Status, r.Check, r.Detail)
	if r.Fix != "" {
		line += "  fix: " + r.Fix
	}
	return line
}

// Blocking reports whether the result is a failure no retry can fix.
func (r Result) Blocking() bool { return r.Status == StatusFail && !r.Transient }

// Check is one named check. Run must return when ctx ends.
type Check struct {
	Name string
	Run  func(ctx context.Context) Result
}

// Run runs every check concurrently under one deadline and returns the results in the order
// of checks. A check without an answer by the deadline is reported as a transient failure; it
// is left to notice its cancelled context.
func Run(ctx context.Context, checks []Check, timeout time.Duration) []Result {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	results := make([]Result, len(checks))
	done := make([]bool, len(checks))
	var mu sync.Mutex
	var wg sync.WaitGroup
	finished := make(chan struct{})
	for i, c := range checks {
		wg.Go(func() {
			r := c.Run(ctx)
			r.Check = c.Name
			mu.Lock()
			// An answer given after the deadline is a timeout, however it is worded.
			if ctx.Err() == nil {
				results[i], done[i] = r, true
			}
			mu.Unlock()
		})
	}
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-ctx.Done():
	}
	mu.Lock()
	defer mu.Unlock()
	out := make([]Result, len(checks))
	for i, c := range checks {
		if done[i] {
			out[i] = results[i]
			continue
		}
		out[i] = Result{Check: c.Name, Status: StatusFail, Transient: true,
			Detail: fmt.Sprintf("no answer within %s", timeout),
			Fix:    "run `symphony doctor` again; if it keeps timing out, find what hangs (network, a slow filesystem)"}
	}
	return out
}

// Failed reports whether any result is a failure.
func Failed(results []Result) bool {
	for _, r := range results {
		if r.Status == StatusFail {
			return true
		}
	}
	return false
}

func ok(format string, args ...any) Result {
	return Result{Status: StatusOK, Detail: fmt.Sprintf(format, args...)}
}

func warn(fix, format string, args ...any) Result {
	return Result{Status: StatusWarn, Detail: fmt.Sprintf(format, args...), Fix: fix}
}

func fail(fix, format string, args ...any) Result {
	return Result{Status: StatusFail, Detail: fmt.Sprintf(format, args...), Fix: fix}
}

func transient(fix, format string, args ...any) Result {
	r := fail(fix, format, args...)
	r.Transient = true
	return r
}
