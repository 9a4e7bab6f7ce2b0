// Package claudetest serves a scripted Anthropic Messages API on 127.0.0.1 so tests can drive
// the real `claude` binary offline: each model request is answered by the test's script with
// text, a tool call or an HTTP error, streamed as Server-Sent Events the way the real API
// streams them, and the token usage the mock reported is summed so tests can compare it with
// what Symphony recorded.
package claudetest
