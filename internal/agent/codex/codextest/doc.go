// Package codextest holds test doubles for the Codex adapter: a mock OpenAI Responses API
// that the real codex binary can be pointed at, driven by scripted steps (including HTTP
// refusals with a chosen body and headers, such as usage_limit_reached). It also writes the
// symphony.yml and short socket directory that the MCP server tests of the adapter and of the
// CLI's agent factory both start from. The fake `codex app-server` is package codexfake.
package codextest
