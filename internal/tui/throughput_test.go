package tui

import (
	"math"
	"testing"
	"time"
)

func TestThroughputOverASlidingWindow(t *testing.T) {
	tp := NewThroughput(30 * time.Second)
	if r := tp.Rate(at); r != 0 {
		t.Fatalf("rate with no samples = %v", r)
	}
	tp.Add(at, 1000)
	if r := tp.Rate(at.Add(500 * time.Millisecond)); r != 0 {
		t.Fatalf("rate after half a second of history = %v, want 0", r)
	}
	tp.Add(at.Add(10*time.Second), 6000)
	steps := []struct {
		now  time.Duration
		want float64
	}{
		// 5,000 tokens over the 10 s since the first sample.
		{10 * time.Second, 500},
		// Nothing new: the same 5,000 tokens over a longer stretch.
		{20 * time.Second, 250},
		// The window (30 s) starts after the first sample: total 1,000 then, 6,000 now.
		{35 * time.Second, 5000.0 / 30},
		// The window starts after the burst ended: nothing happened in it.
		{41 * time.Second, 0},
	}
	for _, s := range steps {
		if got := tp.Rate(at.Add(s.now)); math.Abs(got-s.want) > 1e-9 {
			t.Errorf("rate at +%v = %v, want %v", s.now, got, s.want)
		}
	}
	tp.Add(at.Add(50*time.Second), 100)
	tp.Add(at.Add(52*time.Second), 300)
	if got := tp.Rate(at.Add(52 * time.Second)); got != 100 {
		t.Errorf("after the total went down (a restarted service) the rate = %v, want 100 from the new samples only", got)
	}
}
