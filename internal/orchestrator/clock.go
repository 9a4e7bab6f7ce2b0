package orchestrator

import "time"

// Clock is the orchestrator's only source of time, so tests can drive every timer.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has elapsed.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call; Stop prevents the call if it has not happened yet. It is
// an alias so fakes in other packages satisfy Clock without importing this one.
type Timer = interface{ Stop() bool }

// SystemClock is the wall clock.
type SystemClock struct{}

// Now implements Clock.
func (SystemClock) Now() time.Time { return time.Now() }

// AfterFunc implements Clock.
func (SystemClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
