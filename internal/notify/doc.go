// Package notify delivers operator notifications (a PR opened, a run failed, a budget hit) to
// Slack incoming webhooks and generic JSON webhooks.
//
// Delivery never runs on the caller's goroutine: Notify only enqueues onto a bounded per-channel
// queue and returns, so a slow or failing receiver can never stall a run. Each delivery makes up
// to three attempts with backoff and reports its outcome through a callback, which the service
// turns into an audit record and a metric.
//
// Targets are treated as hostile-by-default egress. Beyond the reference implementation, which
// only checks IP literals in the configured URL, every connection is checked at dial time
// against the address actually connected to, so a name that resolves (or rebinds) to a private,
// loopback, link-local, CGNAT, metadata or unspecified address is refused unless the channel
// sets allow_private. Redirects are never followed, and every string placed in a payload passes
// through the shared secret scanner first.
package notify
