package jsonl

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Message is one JSON-RPC 2.0 message. With an ID and a Method it is a request from the peer;
// with an ID and no Method, a response; with a Method and no ID, a notification.
type Message struct {
	ID     json.RawMessage `json:"id,omitempty"`
	Method string          `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *RPCError       `json:"error,omitempty"`
}

// IsRequest, IsResponse and IsNotification classify a message.
func (m *Message) IsRequest() bool      { return m.ID != nil && m.Method != "" }
func (m *Message) IsResponse() bool     { return m.ID != nil && m.Method == "" }
func (m *Message) IsNotification() bool { return m.ID == nil && m.Method != "" }

// RPCError is a JSON-RPC error object.
type RPCError struct {
	Code    int64           `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

func (e *RPCError) Error() string { return fmt.Sprintf("error %d: %s", e.Code, e.Message) }

// ErrNotObject is the decode error of a line that is JSON but not an object.
var ErrNotObject = errors.New("line is not a JSON object")

// DecodeMessage decodes one line as a JSON-RPC message with its params kept as they are. A
// null id, like null params, counts as none. The message holds copies of the members it
// keeps, never slices of line.
func DecodeMessage(line []byte) (Message, error) {
	f, err := DecodeFrame(line, keepParams)
	if err != nil {
		return Message{}, err
	}
	m := f.Message
	if raw, ok := f.Decoded.(*json.RawMessage); ok {
		m.Params = *raw
	}
	return m, nil
}

func keepParams(string) any { return new(*json.RawMessage) }
