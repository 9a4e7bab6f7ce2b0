// Package tools is the per-session tool host: the small set of tracker tools an agent may call
// on its own issue and nothing else. A Host is bound at session start to one issue, its
// repository route and the tracker; every call passes the same argument rules (an object, no
// scope keys, no unknown keys, writes refused in a read-only scope) before it runs, text it
// returns from the tracker is wrapped as untrusted input, text the agent writes is refused when
// it carries a credential, and every call is audited. The same Host serves Codex's dynamic
// tools (it implements agent.ToolRegistry) and any other transport.
package tools
