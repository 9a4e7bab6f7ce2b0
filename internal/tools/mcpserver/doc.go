// Package mcpserver serves one agent session's tools to any MCP client. Each session gets its
// own listener (a Unix socket in a private directory, or loopback TCP where a sandbox forbids
// Unix sockets) and its own random token; a connection must present the token before anything
// is read as MCP, so another local process that finds the socket cannot call the tools.
// Behind the token the wire is newline-delimited JSON-RPC 2.0 carrying the handful of MCP
// methods a tool server needs (initialize, tools/list, tools/call). `symphony mcp-shim`
// bridges an MCP client's stdio to the listener.
//
// The JSON-RPC layer is written here rather than taken from the MCP Go SDK because the SDK's
// stream transport ends the connection on the first malformed frame and does not recover a
// panicking handler, while a session's tool server must answer both with an error and keep
// serving; the SDK would also validate arguments against the schema itself, replacing the
// tool host's own argument errors with different ones.
package mcpserver
