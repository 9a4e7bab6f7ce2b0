package orchestratortest

import (
	"slices"
	"testing"
	"time"
)

func TestTimersFireInDueOrderOnlyWhenAdvanced(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewClock(start)
	var fired []string
	var at []time.Duration
	record := func(name string) func() {
		return func() { fired = append(fired, name); at = append(at, c.Now().Sub(start)) }
	}
	c.AfterFunc(3*time.Second, record("c"))
	c.AfterFunc(time.Second, record("a"))
	stopped := c.AfterFunc(2*time.Second, record("stopped"))
	c.AfterFunc(time.Second, func() {
		record("b")()
		c.AfterFunc(time.Second, record("chained"))
	})
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop must report true once, then false")
	}
	if len(fired) != 0 {
		t.Fatal("a timer fired before Advance")
	}
	c.Advance(2500 * time.Millisecond)
	if want := []string{"a", "b", "chained"}; !slices.Equal(fired, want) {
		t.Fatalf("fired %v, want %v", fired, want)
	}
	if want := []time.Duration{time.Second, time.Second, 2 * time.Second}; !slices.Equal(at, want) {
		t.Fatalf("fired at %v, want %v", at, want)
	}
	if got := c.Now().Sub(start); got != 2500*time.Millisecond || c.Pending() != 1 {
		t.Fatalf("clock at %s with %d pending", got, c.Pending())
	}
	c.Advance(time.Second)
	if fired[len(fired)-1] != "c" || c.Pending() != 0 {
		t.Fatalf("fired %v, pending %d", fired, c.Pending())
	}
}
