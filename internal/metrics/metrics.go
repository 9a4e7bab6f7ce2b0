package metrics

import (
	"net/http"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/prwatch"
)

// Source is what a scrape reads from the running orchestrator; *orchestrator.Orchestrator
// implements it. Both methods must not block.
type Source interface {
	Snapshot() *orchestrator.Snapshot
	PendingWrites() (audit, store int)
}

var _ Source = (*orchestrator.Orchestrator)(nil)

// Options configures New.
type Options struct {
	// Repositories are the configured repository keys; their series exist from the start,
	// at zero, so rates and alerts work before the first dispatch.
	Repositories []string
}

// Metrics owns the registry and every collector. Create it with New, hand Instrument's
// result to orchestrator.New, then call Watch with the orchestrator.
type Metrics struct {
	reg    *prometheus.Registry
	repos  *repositoryLabels
	source atomic.Pointer[Source]
	// prWatches is the store the pull-request gauge reads; nil while the pollers are off.
	prWatches atomic.Pointer[PRWatchSource]

	dispatches  *prometheus.CounterVec
	completed   *prometheus.CounterVec
	tokens      *prometheus.CounterVec
	grossTokens *prometheus.CounterVec
	costUSD     *prometheus.CounterVec
	turns       *prometheus.HistogramVec
	attempts    *prometheus.HistogramVec
	polls       *prometheus.CounterVec
	pollTime    prometheus.Histogram

	trackerRequests *prometheus.CounterVec
	trackerErrors   *prometheus.CounterVec
	trackerTime     *prometheus.HistogramVec
	storeTime       *prometheus.HistogramVec
	storeErrors     *prometheus.CounterVec

	gate          gateCollectors
	notifications *prometheus.CounterVec
	prEvents      *prometheus.CounterVec
}

// New builds the registry with the Go runtime and process collectors and every Symphony
// metric.
func New(opts Options) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), repos: newRepositoryLabels(maxRepositories)}
	m.dispatches = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "symphony_dispatches_total", Help: "Attempts started, by repository.",
	}, []string{"repository"})
	m.completed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "symphony_attempts_completed_total", Help: "Attempts that ended, by repository and outcome.",
	}, []string{"repository", "outcome"})
	m.tokens = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "symphony_tokens_total", Help: "Tokens agents reported, by repository and bucket (uncached_input, cached_input, cache_creation_input, output).",
	}, []string{"repository", "bucket"})
	m.grossTokens = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "symphony_gross_tokens_total", Help: "Gross tokens agents reported (the count token budgets use), by repository.",
	}, []string{"repository"})
	m.costUSD = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "symphony_cost_usd_total", Help: "US dollars agents' tokens cost (agent.pricing, or the runtime's own figure), by repository.",
	}, []string{"repository"})
	m.turns = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "symphony_turn_duration_seconds", Help: "Duration of completed agent turns, by repository.",
		Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600},
	}, []string{"repository"})
	m.attempts = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "symphony_attempt_duration_seconds", Help: "Duration of attempts from dispatch to exit, by repository.",
		Buckets: []float64{10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400},
	}, []string{"repository"})
	m.polls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "symphony_polls_total", Help: "Tracker polls whose result reached the scheduler, by result (ok, failed).",
	}, []string{"result"})
	m.pollTime = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "symphony_poll_duration_seconds", Help: "Duration of one poll: reconciliation refresh, disk and preflight checks, candidate fetch.",
		Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
	})
	m.trackerRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "symphony_tracker_requests_total", Help: "Tracker requests the scheduler and its workers made, by operation.",
	}, []string{"operation"})
	m.trackerErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "symphony_tracker_request_errors_total", Help: "Tracker requests that returned an error, by operation.",
	}, []string{"operation"})
	m.trackerTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "symphony_tracker_request_duration_seconds", Help: "Latency of tracker requests, by operation.",
		Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
	}, []string{"operation"})
	m.storeTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "symphony_store_write_duration_seconds", Help: "Latency of run store writes, by operation.",
		Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5},
	}, []string{"operation"})
	m.storeErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "symphony_store_write_errors_total", Help: "Run store writes that returned an error, by operation.",
	}, []string{"operation"})
	m.notifications = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "symphony_notifications_total", Help: "Notifications by channel kind (slack, webhook), event and delivery (delivered, failed, dropped).",
	}, []string{"channel", "event", "delivery"})
	m.prEvents = newPREventCounter()

	m.gate = newGateCollectors()
	m.reg.MustRegister(m.gate.collectors()...)
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&snapshotCollector{m: m},
		m.dispatches, m.completed, m.tokens, m.grossTokens, m.costUSD, m.turns, m.attempts, m.polls, m.pollTime,
		m.trackerRequests, m.trackerErrors, m.trackerTime, m.storeTime, m.storeErrors, m.notifications,
		&prWatchCollector{m: m}, m.prEvents,
	)
	for _, kind := range append(prwatch.EventKinds(), otherEvent) {
		m.prEvents.WithLabelValues(kind)
	}
	for _, result := range []string{pollOK, pollFailed} {
		m.polls.WithLabelValues(result)
	}
	for _, key := range opts.Repositories {
		m.repository(key)
	}
	return m
}

// initRepository creates a repository's counter series at zero.
func (m *Metrics) initRepository(repo string) {
	m.dispatches.WithLabelValues(repo)
	m.grossTokens.WithLabelValues(repo)
	m.costUSD.WithLabelValues(repo)
	for _, o := range outcomes {
		m.completed.WithLabelValues(repo, o)
	}
	for _, b := range tokenBuckets {
		m.tokens.WithLabelValues(repo, b)
	}
}

// Instrument returns deps with this Metrics as the orchestrator's Observer and with its
// tracker and store wrapped, so their requests and writes are counted and timed.
func (m *Metrics) Instrument(deps orchestrator.Deps) orchestrator.Deps {
	deps.Observer = m
	if deps.Tracker != nil {
		deps.Tracker = m.Tracker(deps.Tracker)
	}
	if deps.Store != nil {
		deps.Store = m.Store(deps.Store)
	}
	return deps
}

// Watch makes scrapes read the scheduler gauges from src. Before Watch they are absent.
func (m *Metrics) Watch(src Source) { m.source.Store(&src) }

// Handler serves the registry in the Prometheus text format (GET /metrics).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}
