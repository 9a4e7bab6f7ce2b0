package metrics

import (
	"slices"
	"sync"

	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/store"
)

// maxRepositories caps the repository label's values: keys come from the configuration, but
// reloads can add keys for as long as the service runs, and every key multiplies the series
// of several metrics.
const maxRepositories = 256

// otherRepository stands for every repository key past the cap.
const otherRepository = "_other"

// repositoryLabels hands out repository label values, the first maxRepositories keys as they
// are and the rest as otherRepository; first is true the first time a value is handed out.
type repositoryLabels struct {
	mu    sync.Mutex
	max   int
	known map[string]bool
}

func newRepositoryLabels(maxKeys int) *repositoryLabels {
	return &repositoryLabels{max: maxKeys, known: map[string]bool{}}
}

func (r *repositoryLabels) label(key string) (value string, first bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.known) >= r.max && !r.known[key] {
		key = otherRepository
	}
	if r.known[key] {
		return key, false
	}
	r.known[key] = true
	return key, true
}

// Token buckets of symphony_tokens_total, the four provider-neutral buckets of
// agent.TokenUsage, in the order OnTokens reads them.
const (
	bucketUncachedInput      = "uncached_input"
	bucketCachedInput        = "cached_input"
	bucketCacheCreationInput = "cache_creation_input"
	bucketOutput             = "output"
)

var tokenBuckets = []string{bucketUncachedInput, bucketCachedInput, bucketCacheCreationInput, bucketOutput}

// Results of symphony_polls_total.
const (
	pollOK     = "ok"
	pollFailed = "failed"
)

// outcomes are the values of symphony_attempts_completed_total's outcome label: the stop
// reason when the orchestrator ended the attempt, else the run's status.
var outcomes = []string{
	string(store.StatusSuccess), string(store.StatusFailure), string(store.StatusTimeout),
	string(store.StatusStopped), string(store.StatusInterrupted), string(store.StatusBudgetExhausted), string(store.StatusRateLimited), string(store.StatusAwaitingInput),
	string(orchestrator.StopStalled), string(orchestrator.StopStuck), string(orchestrator.StopOperator),
	string(orchestrator.StopTerminal), string(orchestrator.StopInactive), string(orchestrator.StopShutdown),
	string(orchestrator.StopTimeout),
	otherOutcome,
}

// otherOutcome stands for a status or stop reason this build does not know, so a new one
// can never grow the label set unnoticed.
const otherOutcome = "other"

// outcome names how an attempt ended: a stop says more (stalled, stuck, operator_stop) than
// the status it maps to.
func outcome(status store.Status, reason orchestrator.StopReason) string {
	if reason != "" && slices.Contains(outcomes, string(reason)) {
		return string(reason)
	}
	if slices.Contains(outcomes, string(status)) {
		return string(status)
	}
	return otherOutcome
}
