package tui

import "time"

// Throughput estimates tokens per second from the service's lifetime token total, sampled
// whenever a state document arrives. The rate covers a sliding window, so a burst fades out
// once the window has passed it, even when no new state arrives (the stream is quiet while
// nothing changes).
type Throughput struct {
	window  time.Duration
	samples []tokenSample
}

type tokenSample struct {
	at    time.Time
	total int64
}

// NewThroughput measures over the last window.
func NewThroughput(window time.Duration) *Throughput {
	return &Throughput{window: window}
}

// Add records the token total the service reported at a time. A total lower than the last
// one means the service restarted, so the earlier samples no longer compare.
func (t *Throughput) Add(at time.Time, total int64) {
	if n := len(t.samples); n > 0 && (total < t.samples[n-1].total || at.Before(t.samples[n-1].at)) {
		t.samples = t.samples[:0]
	}
	t.samples = append(t.samples, tokenSample{at: at, total: total})
}

// Rate is tokens per second over the window ending at now. The total is a step function
// between samples, so the total at the window's start is the newest sample at or before it;
// without one, the window starts at the first sample. Under a second of history says 0,
// rather than a spike from two close samples.
func (t *Throughput) Rate(now time.Time) float64 {
	if len(t.samples) == 0 {
		return 0
	}
	start := now.Add(-t.window)
	base := 0
	for i, s := range t.samples {
		if s.at.After(start) {
			break
		}
		base = i
	}
	// Samples before the baseline can never be the baseline again.
	t.samples = t.samples[base:]
	first, last := t.samples[0], t.samples[len(t.samples)-1]
	elapsed := min(now.Sub(first.at), t.window)
	if elapsed < time.Second {
		return 0
	}
	return float64(last.total-first.total) / elapsed.Seconds()
}
