// Package claude runs Claude Code as a Symphony agent runtime: one `claude -p --output-format
// stream-json --verbose` process per turn, launched in its own process group inside the issue
// workspace with the prompt on stdin, a private settings directory carrying the sandbox and
// permission rules rendered from internal/sandbox and the session's MCP servers, and an
// allow-listed environment. Its stream-json output is read through the shared jsonl transport
// and mapped onto runtime-neutral agent events; each turn's final `result` is the authoritative
// token count, summed across the turns of a session.
package claude
