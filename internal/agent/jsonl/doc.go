// Package jsonl is the one transport for agents that speak line-delimited JSON over a child
// process's stdio: Codex's JSON-RPC app-server, Claude Code's stream-json output and
// Symphony's own MCP shim. It starts the child in its own process group, drains stdout on a
// reader goroutine into a queue bounded by memory (one line is always admitted, and a line
// over the per-line cap is dropped up to its newline and reported as a *LineTooLongError, so a
// runaway child costs neither unbounded memory nor a hang), decodes every line with
// encoding/json's semantics on that goroutine, keeps the tail of stderr, and reports how the
// child ended as an exit code or a signal, never as a silent nil. Client adds JSON-RPC 2.0 request and
// response correlation with timeouts on top, and DecodeFrame decodes a JSON-RPC line with its
// params going straight into the type the consumer reads for the method, in one pass;
// ParamsDecoder lets a params type read on every busy line decode itself member by member.
//
// Every line handed out is a fresh copy that nobody else writes to, so a consumer may keep it
// (or slices of it) for as long as it likes; unless it opted in to lines valid only until its
// next Take (ReadOptions.LinesValidUntilNextTake), which lets the reader copy new lines into
// the memory of released ones instead of making garbage of every byte it reads.
package jsonl
