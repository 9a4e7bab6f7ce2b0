// Package sandbox is the single source of truth for what a coding agent may touch: the shared
// credential read-deny and guardrail write-deny lists, Symphony's own state (state root, logs
// root, config files) that no agent may read, sensitive-path detection, network allowlists,
// and their rendering into Codex app-server parameters, Codex permission-profile overrides and
// srt (sandbox runtime) settings files. Adapters receive the rendered values opaquely; nothing
// here starts an agent.
package sandbox
