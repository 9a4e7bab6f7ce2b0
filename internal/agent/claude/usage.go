package claude

import "github.com/symphony-go/symphony/internal/agent"

// turnUsage converts a result line's usage, the authoritative totals of one turn over all its
// model requests, into the provider-neutral buckets. The per-message usage of assistant lines
// is not used: it is the snapshot taken when each message started, with output at 1.
func turnUsage(u *wireUsage) agent.TokenUsage {
	if u == nil {
		return agent.TokenUsage{}
	}
	return agent.TokenUsage{
		UncachedInput:      u.InputTokens,
		CachedInput:        u.CacheReadInputTokens,
		CacheCreationInput: u.CacheCreationInputTokens,
		Output:             u.OutputTokens,
		Total:              u.InputTokens + u.CacheReadInputTokens + u.CacheCreationInputTokens + u.OutputTokens,
	}
}
