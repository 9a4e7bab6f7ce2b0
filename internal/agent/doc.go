// Package agent owns the runtime-neutral contract between the orchestrator and a coding agent:
// the Session a worker drives (start in a workspace, run turns, stop), the events a session
// reports upward, the tool registry a session offers to the model, the stable error codes a
// failed session carries, and provider-neutral token accounting. Runtime adapters live in
// subpackages (codex, claude) and depend on this package, never the other way round.
package agent
