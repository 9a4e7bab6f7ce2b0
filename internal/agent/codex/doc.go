// Package codex runs OpenAI Codex through `codex app-server`: it launches the process in an
// issue workspace with a private CODEX_HOME, speaks the app-server JSON-RPC protocol over
// stdio (handshake, one thread per session, one turn per prompt), answers every server
// request according to the configured policy, and turns the stream into agent.Event values
// and agent.Error codes. See SPEC §10 and docs/token_accounting.md of the reference.
package codex
