// Package store owns Symphony's durable state: run history, the retry queue, token usage
// (aggregate, per UTC day and per issue across retries), the pause switch, the audit chain's
// head checkpoint and a small key/value table for pollers. It is one SQLite file in WAL mode
// under the state root, so the service writes while the API and CLI read the same file.
//
// The store records; it never schedules. The orchestrator stays the only authority over
// dispatch and uses these rows to rebuild its state after a restart (SPEC §4.1.9, §14.3).
package store
