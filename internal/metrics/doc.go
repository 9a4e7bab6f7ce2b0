// Package metrics exposes the service's Prometheus metrics on a private registry: gauges read
// from the orchestrator's published snapshot at scrape time, counters and histograms fed by
// the orchestrator's Observer hook, and wrappers that time the tracker requests and store
// writes the orchestrator makes. Label values are bounded: repositories come from the
// configuration (capped), outcomes and operations are fixed word lists, and no label ever
// carries an issue identifier.
package metrics
