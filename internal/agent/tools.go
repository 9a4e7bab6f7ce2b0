package agent

import (
	"context"
	"encoding/json"
)

// ToolSpec advertises one client-side tool to the model.
type ToolSpec struct {
	Name        string
	Description string
	// InputSchema is the JSON schema of the tool's arguments.
	InputSchema json.RawMessage
}

// ToolResult is what a tool call returns to the model.
type ToolResult struct {
	Success bool
	// Text is the output the model reads: the result on success, the error on failure.
	Text string
}

// ToolRegistry is the set of client-side tools a session offers. Call is only invoked for
// names listed by Specs; anything else is answered as an unsupported tool without calling it.
type ToolRegistry interface {
	Specs() []ToolSpec
	Call(ctx context.Context, name string, arguments json.RawMessage) ToolResult
}
