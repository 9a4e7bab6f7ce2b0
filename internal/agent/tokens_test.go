package agent

import "testing"

func TestTokenAccountUsesAbsoluteTotals(t *testing.T) {
	explicit := int64(7)
	steps := []struct {
		name      string
		thread    string
		snap      TokenSnapshot
		wantDelta TokenUsage
		accepted  bool
		wantSum   TokenUsage
	}{
		{
			name: "first snapshot becomes the total", thread: "t1",
			snap:      TokenSnapshot{Input: 100, Cached: 10, Output: 20, Total: 120},
			wantDelta: TokenUsage{UncachedInput: 90, CachedInput: 10, Output: 20, Total: 120},
			accepted:  true,
			wantSum:   TokenUsage{UncachedInput: 90, CachedInput: 10, Output: 20, Total: 120},
		},
		{
			name: "a later cumulative snapshot adds only the difference", thread: "t1",
			snap:      TokenSnapshot{Input: 200, Cached: 20, Output: 40, Total: 240},
			wantDelta: TokenUsage{UncachedInput: 90, CachedInput: 10, Output: 20, Total: 120},
			accepted:  true,
			wantSum:   TokenUsage{UncachedInput: 180, CachedInput: 20, Output: 40, Total: 240},
		},
		{
			name: "a stale snapshot is ignored", thread: "t1",
			snap:     TokenSnapshot{Input: 100, Cached: 10, Output: 20, Total: 120},
			accepted: false,
			wantSum:  TokenUsage{UncachedInput: 180, CachedInput: 20, Output: 40, Total: 240},
		},
		{
			name: "a repeated snapshot adds nothing", thread: "t1",
			snap:     TokenSnapshot{Input: 200, Cached: 20, Output: 40, Total: 240},
			accepted: true,
			wantSum:  TokenUsage{UncachedInput: 180, CachedInput: 20, Output: 40, Total: 240},
		},
		{
			name: "another thread is counted separately", thread: "t2",
			snap:      TokenSnapshot{Input: 10, Cached: 3, CacheCreation: 4, Output: 5, Total: 19, Uncached: &explicit},
			wantDelta: TokenUsage{UncachedInput: 7, CachedInput: 3, CacheCreationInput: 4, Output: 5, Total: 19},
			accepted:  true,
			wantSum:   TokenUsage{UncachedInput: 187, CachedInput: 23, CacheCreationInput: 4, Output: 45, Total: 259},
		},
	}
	var acct TokenAccount
	for _, st := range steps {
		delta, ok := acct.Observe(st.thread, st.snap)
		if ok != st.accepted || delta != st.wantDelta {
			t.Fatalf("%s: Observe = %+v, %v; want %+v, %v", st.name, delta, ok, st.wantDelta, st.accepted)
		}
		if got := acct.Totals(); got != st.wantSum {
			t.Fatalf("%s: Totals = %+v, want %+v", st.name, got, st.wantSum)
		}
	}
}

func TestTokenSnapshotBuckets(t *testing.T) {
	cases := []struct {
		name string
		snap TokenSnapshot
		want TokenUsage
	}{
		{"cached larger than input clamps to zero", TokenSnapshot{Input: 5, Cached: 9, Total: 5}, TokenUsage{CachedInput: 9, Total: 5}},
		{"missing total is derived", TokenSnapshot{Input: 10, Cached: 4, Output: 2}, TokenUsage{UncachedInput: 6, CachedInput: 4, Output: 2, Total: 12}},
	}
	for _, c := range cases {
		if got := c.snap.Buckets(); got != c.want {
			t.Errorf("%s: Buckets = %+v, want %+v", c.name, got, c.want)
		}
	}
}
