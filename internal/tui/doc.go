// Package tui draws the live terminal view of a running Symphony service (`symphony status
// --watch` on a terminal): a boxed header with dispatch state, agents, throughput, runtime,
// tokens and rate limits, then the running table, the backoff queue and the parked issues.
//
// Render is a pure function of one state document, the time and the terminal size, so the
// layout is tested with golden files; Run wires it to the service's event stream with
// Bubble Tea, which owns the terminal and restores it on exit.
package tui
