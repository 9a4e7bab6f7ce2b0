package metrics

import (
	"context"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/symphony-go/symphony/internal/prwatch"
	"github.com/symphony-go/symphony/internal/store"
)

// PRWatchSource lists the pull-request pollers' rows; *store.Store implements it.
type PRWatchSource interface {
	PRWatches(ctx context.Context, poller string) ([]store.PRWatch, error)
}

var _ PRWatchSource = (*store.Store)(nil)

// prWatchScrapeTimeout bounds the store read of one scrape.
const prWatchScrapeTimeout = 5 * time.Second

var prWatchedDesc = prometheus.NewDesc("symphony_pull_requests_watched",
	"Pull requests the review and CI pollers watch, by poller and the phase of its state machine.", []string{"poller", "phase"}, nil)

// prWatchCollector counts the pollers' rows at each scrape, straight from the store, so
// neither the pollers nor the scheduler keep a copy for it.
type prWatchCollector struct{ m *Metrics }

func (c *prWatchCollector) Describe(ch chan<- *prometheus.Desc) { ch <- prWatchedDesc }

func (c *prWatchCollector) Collect(ch chan<- prometheus.Metric) {
	src := c.m.prWatches.Load()
	if src == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), prWatchScrapeTimeout)
	defer cancel()
	rows, err := (*src).PRWatches(ctx, "")
	if err != nil {
		ch <- prometheus.NewInvalidMetric(prWatchedDesc, err)
		return
	}
	type key struct{ poller, phase string }
	counts := map[key]int{}
	for _, r := range rows {
		counts[key{r.Poller, r.Phase}]++
	}
	for k, n := range counts {
		gauge(ch, prWatchedDesc, float64(n), k.poller, k.phase)
	}
}

// WatchPullRequests makes scrapes count the pollers' rows in src; before it the gauge is
// absent, as it stays while the pollers are off.
func (m *Metrics) WatchPullRequests(src PRWatchSource) { m.prWatches.Store(&src) }

// OnPREvent counts one pull-request poller event (rework_requested, ci_failed, ci_escalated,
// poller_degraded, ...). It only updates a counter, so the pollers may call it from their
// goroutines.
func (m *Metrics) OnPREvent(e prwatch.Event) {
	kind := e.Kind
	if !slices.Contains(prwatch.EventKinds(), kind) {
		kind = otherEvent
	}
	m.prEvents.WithLabelValues(kind).Inc()
}

func newPREventCounter() *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "symphony_pull_request_events_total",
		Help: "Pull-request poller events by kind: transitions (rework_requested, conflict_requested, merge_requested, ci_failed, ci_escalated, conflict_escalated), reruns, clean-ups, back-offs.",
	}, []string{"kind"})
}
