package orchestrator

import (
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/store"
)

func storeTokens(u agent.TokenUsage) store.Tokens {
	return store.Tokens{
		Input:              u.UncachedInput + u.CachedInput,
		UncachedInput:      u.UncachedInput,
		CachedInput:        u.CachedInput,
		CacheCreationInput: u.CacheCreationInput,
		Output:             u.Output,
		Total:              u.Total,
	}
}

func usageRow(iss issue.Issue, at time.Time, delta agent.TokenUsage, costUSD float64) store.Usage {
	return store.Usage{RepoKey: iss.RepoKey, IssueID: iss.ID, At: at, Tokens: storeTokens(delta), CostUSD: costUSD}
}
