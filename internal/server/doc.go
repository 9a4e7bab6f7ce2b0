// Package server is Symphony's operator surface over HTTP: the read API under /api/v1 (the
// published orchestrator snapshot, issue detail and transcripts, run history, the audit log as
// NDJSON, a Server-Sent Events stream of snapshot changes) and the control API (pause, resume,
// stop, unstop, refresh). It is served on a loopback TCP listener for browsers and tools, and on
// a Unix socket in the state root that the CLI uses even when the dashboard is off.
//
// Reading never waits for the orchestrator loop: every read serves the latest published
// snapshot or the store and audit files. Control requests go to the loop as messages and are
// bounded by its control timeout.
package server
