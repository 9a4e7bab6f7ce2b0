// Package orchestrator owns Symphony's scheduling: one loop goroutine holds every piece of
// scheduling state (running attempts, claims, the retry queue, watching rows, conflicts,
// budgets, pause) and turns tracker polls, worker reports, timers and operator requests into
// dispatch decisions. The loop never does I/O itself; tracker calls, workspace hooks, agent
// sessions and store/audit writes run in other goroutines and report back by message. After
// every change the loop publishes an immutable Snapshot for the API, dashboard and CLI.
//
// The same worker code path also serves the one-shot `symphony run` through RunOnce.
package orchestrator
