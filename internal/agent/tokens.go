package agent

// TokenUsage holds token counts in the four provider-neutral buckets
// (docs/token_accounting.md). Total is the gross count the runtime reported, which budgets use.
type TokenUsage struct {
	UncachedInput      int64
	CachedInput        int64
	CacheCreationInput int64
	Output             int64
	Total              int64
}

// Add returns u + o bucket by bucket.
func (u TokenUsage) Add(o TokenUsage) TokenUsage {
	return TokenUsage{
		UncachedInput:      u.UncachedInput + o.UncachedInput,
		CachedInput:        u.CachedInput + o.CachedInput,
		CacheCreationInput: u.CacheCreationInput + o.CacheCreationInput,
		Output:             u.Output + o.Output,
		Total:              u.Total + o.Total,
	}
}

// Sub returns u - o bucket by bucket.
func (u TokenUsage) Sub(o TokenUsage) TokenUsage {
	return TokenUsage{
		UncachedInput:      u.UncachedInput - o.UncachedInput,
		CachedInput:        u.CachedInput - o.CachedInput,
		CacheCreationInput: u.CacheCreationInput - o.CacheCreationInput,
		Output:             u.Output - o.Output,
		Total:              u.Total - o.Total,
	}
}

// IsZero reports whether every bucket is zero.
func (u TokenUsage) IsZero() bool { return u == TokenUsage{} }

// TokenSnapshot is a cumulative usage report as a runtime sends it. Input includes cached
// input unless Uncached is set explicitly.
type TokenSnapshot struct {
	Input         int64
	Cached        int64
	CacheCreation int64
	Output        int64
	Total         int64
	// Uncached, when non-nil, is an explicit uncached-input count that wins over
	// Input - Cached.
	Uncached *int64
}

// Buckets converts a snapshot to provider-neutral buckets.
func (s TokenSnapshot) Buckets() TokenUsage {
	uncached := max(s.Input-s.Cached, 0)
	if s.Uncached != nil {
		uncached = *s.Uncached
	}
	total := s.Total
	if total == 0 {
		total = s.Input + s.CacheCreation + s.Output
	}
	return TokenUsage{
		UncachedInput:      uncached,
		CachedInput:        s.Cached,
		CacheCreationInput: s.CacheCreation,
		Output:             s.Output,
		Total:              total,
	}
}

// TokenAccount keeps the accepted absolute totals of each thread. Runtimes report cumulative
// totals; the account turns them into deltas so nothing is counted twice, and ignores a
// snapshot that would move a thread's total backwards (a stale or reordered report).
// The zero value is ready to use; it is not safe for concurrent use.
type TokenAccount struct {
	threads map[string]TokenUsage
	sum     TokenUsage
}

// Observe records a cumulative snapshot for thread and returns the delta it adds to the
// account. accepted is false when the snapshot was older than what the account already holds.
func (a *TokenAccount) Observe(thread string, snap TokenSnapshot) (delta TokenUsage, accepted bool) {
	if a.threads == nil {
		a.threads = make(map[string]TokenUsage)
	}
	next := snap.Buckets()
	prev := a.threads[thread]
	if next.Total < prev.Total {
		return TokenUsage{}, false
	}
	delta = next.Sub(prev)
	a.threads[thread] = next
	a.sum = a.sum.Add(delta)
	return delta, true
}

// Totals returns the sum of the accepted totals over all threads.
func (a *TokenAccount) Totals() TokenUsage { return a.sum }

// Thread returns the accepted totals of one thread.
func (a *TokenAccount) Thread(thread string) TokenUsage { return a.threads[thread] }
