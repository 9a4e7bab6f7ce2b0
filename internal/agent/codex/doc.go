// Package codex runs OpenAI Codex through `codex app-server`: it launches the process in an
// issue workspace with a private CODEX_HOME, speaks the app-server JSON-RPC protocol over
// stdio (handshake, one thread per session, one turn per prompt), answers every server
// request according to the configured policy, and turns the stream into agent.Event values
// and agent.Error codes. See SPEC §10 and docs/token_accounting.md of the reference.
//
// Policy, as SPEC §10.5 asks each implementation to document it:
//
//   - Approval requests (commands, file changes, legacy exec/patch approvals, extra
//     permissions) are accepted for the session only when Options.AutoApproveAll is set;
//     otherwise they are declined and the turn goes on. Which requests Codex sends at all is
//     decided by Options.ApprovalPolicy, which is passed through unchanged.
//   - A request for user input is never waited for: it is answered with an error, the turn
//     is interrupted and RunTurn returns turn_input_required whose message is Codex's
//     questions (at most 2000 bytes), for the orchestrator to ask on the issue.
//   - A turn the account's usage or rate limit refused (codexErrorInfo usageLimitExceeded,
//     rateLimitExceeded, or an upstream HTTP 429) returns rate_limited, with ResetAt set
//     from the latest exhausted window Codex reported in account/rateLimits/updated, and
//     left zero when it reported none.
//   - MCP elicitations are declined.
//   - Dynamic tool calls go to Options.Tools; a tool it does not list gets a failure result
//     and the turn continues.
//   - Any other server request is answered with a JSON-RPC "method not found" error, so no
//     request ever stalls a turn.
//   - The same command or tool call failing Options.MaxIdenticalToolFailures times in a row
//     ends the turn with tool_failure_circuit_breaker, a block for a human rather than a retry.
//
// Transport: the shared line-delimited JSON transport (package jsonl) starts Codex in its own
// process group and drains its stdout at pipe speed into a memory-bounded queue, decoding each
// line with encoding/json as it goes. One goroutine owns the session's state: it handles the
// lines in order and, between two lines, serves RunTurn, Stop and the other callers, which
// reach it only by channel messages; a slow event consumer never blocks Codex's writes until
// that queue is full. Every event owns its bytes.
// Lines longer than 10 MB and lines that are not JSON-RPC objects become malformed events;
// reading resumes at the next newline.
package codex
