package mcpserver

import (
	"encoding/json"
	"regexp"
)

// JSON-RPC 2.0 error codes this server answers with.
const (
	codeParseError     = -32700
	codeInvalidRequest = -32600
	codeMethodNotFound = -32601
	codeInvalidParams  = -32602
	codeInternalError  = -32603
)

// request is one inbound JSON-RPC message. ID is nil when the message has no id (a
// notification) and the JSON text "null" when the id is explicitly null.
type request struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
	// Result and Error mark a response, which a client may send but this server never awaits.
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

type response struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  any             `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

var nullID = json.RawMessage("null")

func errorResponse(id json.RawMessage, code int, message string) response {
	if id == nil {
		id = nullID
	}
	return response{JSONRPC: "2.0", ID: id, Error: &rpcError{Code: code, Message: message}}
}

// idPattern finds a top-level-looking "id" member in text that is not valid JSON, so a
// parse error can still be matched to the client's request when the id is readable.
var idPattern = regexp.MustCompile(`"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)`)

// recoverID returns the id of a malformed frame, or nil when none can be read.
func recoverID(frame []byte) json.RawMessage {
	m := idPattern.FindSubmatch(frame)
	if m == nil {
		return nil
	}
	id := json.RawMessage(m[1])
	if !json.Valid(id) {
		return nil
	}
	return id
}
