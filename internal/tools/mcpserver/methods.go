package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/symphony-go/symphony/internal/agent"
)

// defaultProtocolVersion is answered when the client's initialize names none.
const defaultProtocolVersion = "2025-06-18"

// methods answers MCP requests from one session's registry.
type methods struct {
	registry agent.ToolRegistry
	version  string
}

// call is what one frame asked for, for the log line; never the payload itself.
type call struct {
	method string
	tool   string
	id     json.RawMessage
}

// handle answers one frame. reply is false for notifications, which get no answer.
func (m *methods) handle(ctx context.Context, frame []byte) (resp response, reply bool, c call) {
	var req request
	if err := json.Unmarshal(frame, &req); err != nil {
		c.id = recoverID(frame)
		if !json.Valid(frame) {
			return errorResponse(c.id, codeParseError, "parse error: "+err.Error()), true, c
		}
		return errorResponse(c.id, codeInvalidRequest, "invalid request: want one JSON-RPC object: "+err.Error()), true, c
	}
	c.method, c.id = req.Method, req.ID
	if req.Method == "" && (req.Result != nil || req.Error != nil) {
		// A response to a request this server never sends; there is nothing to answer.
		return response{}, false, c
	}
	if req.JSONRPC != "2.0" || req.Method == "" {
		return errorResponse(req.ID, codeInvalidRequest, `invalid request: want "jsonrpc": "2.0" and a method`), true, c
	}
	if req.ID == nil || strings.HasPrefix(req.Method, "notifications/") {
		return response{}, false, c
	}
	result, rerr := m.dispatch(ctx, req, &c)
	if rerr != nil {
		return errorResponse(req.ID, rerr.Code, rerr.Message), true, c
	}
	return response{JSONRPC: "2.0", ID: req.ID, Result: result}, true, c
}

// dispatch runs one request's method, turning a panic into an internal error so one bad
// call cannot take the connection down.
func (m *methods) dispatch(ctx context.Context, req request, c *call) (result any, rerr *rpcError) {
	defer func() {
		if p := recover(); p != nil {
			result, rerr = nil, &rpcError{Code: codeInternalError, Message: fmt.Sprintf("internal error in %s: %v", req.Method, p)}
		}
	}()
	switch req.Method {
	case "initialize":
		return m.initialize(req.Params)
	case "ping":
		return struct{}{}, nil
	case "tools/list":
		return m.listTools(), nil
	case "tools/call":
		return m.callTool(ctx, req.Params, c)
	default:
		return nil, &rpcError{Code: codeMethodNotFound, Message: "unsupported MCP method: " + req.Method}
	}
}

func (m *methods) initialize(params json.RawMessage) (any, *rpcError) {
	var p struct {
		ProtocolVersion string `json:"protocolVersion"`
	}
	if len(params) > 0 {
		if err := json.Unmarshal(params, &p); err != nil {
			return nil, &rpcError{Code: codeInvalidParams, Message: "initialize params: " + err.Error()}
		}
	}
	if p.ProtocolVersion == "" {
		p.ProtocolVersion = defaultProtocolVersion
	}
	return map[string]any{
		"protocolVersion": p.ProtocolVersion,
		"capabilities":    map[string]any{"tools": map[string]any{}},
		"serverInfo":      map[string]any{"name": "symphony", "version": m.version},
	}, nil
}

type toolDescription struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	InputSchema json.RawMessage `json:"inputSchema"`
}

// emptyObjectSchema stands in for a tool that declares no schema; MCP requires one.
var emptyObjectSchema = json.RawMessage(`{"type":"object"}`)

func (m *methods) listTools() any {
	specs := m.registry.Specs()
	tools := make([]toolDescription, 0, len(specs))
	for _, s := range specs {
		schema := s.InputSchema
		if len(schema) == 0 {
			schema = emptyObjectSchema
		}
		tools = append(tools, toolDescription{Name: s.Name, Description: s.Description, InputSchema: schema})
	}
	return map[string]any{"tools": tools}
}

type textContent struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type callResult struct {
	Content []textContent `json:"content"`
	IsError bool          `json:"isError"`
}

func (m *methods) callTool(ctx context.Context, params json.RawMessage, c *call) (any, *rpcError) {
	var p struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	}
	if err := json.Unmarshal(params, &p); err != nil || p.Name == "" {
		msg := "tools/call params: want an object with a tool name"
		if err != nil {
			msg += ": " + err.Error()
		}
		return nil, &rpcError{Code: codeInvalidParams, Message: msg}
	}
	c.tool = p.Name
	if len(p.Arguments) == 0 || bytes.Equal(p.Arguments, nullID) {
		p.Arguments = json.RawMessage("{}")
	}
	// The registry is only asked about tools it advertised (agent.ToolRegistry's contract).
	var names []string
	for _, s := range m.registry.Specs() {
		if s.Name == p.Name {
			res := m.registry.Call(ctx, p.Name, p.Arguments)
			return callResult{Content: []textContent{{Type: "text", Text: res.Text}}, IsError: !res.Success}, nil
		}
		names = append(names, s.Name)
	}
	text := fmt.Sprintf("unsupported tool %q; this session offers: %s", p.Name, strings.Join(names, ", "))
	return callResult{Content: []textContent{{Type: "text", Text: text}}, IsError: true}, nil
}
