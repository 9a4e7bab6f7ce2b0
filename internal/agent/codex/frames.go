package codex

import (
	"errors"

	"github.com/symphony-go/symphony/internal/agent/jsonl"
)

// decodeFrame is the transport's decoder: each stdout line is decoded once, on the reader
// goroutine, with the params of the methods the adapter reads going straight into their
// types and the params of everything else (deltas, item starts, status changes) only checked.
func decodeFrame(line []byte) (jsonl.Frame, error) { return jsonl.DecodeFrame(line, paramsFor) }

// paramsFor names the params type of each method the adapter reads, as jsonl.ParamsFor asks.
func paramsFor(method string) any {
	switch method {
	case "turn/completed":
		return new(*turnCompletedParams)
	case "thread/tokenUsage/updated":
		return new(*tokenUsageParams)
	case "account/rateLimits/updated":
		return new(*rateLimitsParams)
	case "item/completed":
		return new(*itemCompletedParams)
	case "error":
		return new(*errorParams)
	case "item/commandExecution/requestApproval", "item/fileChange/requestApproval", "execCommandApproval", "applyPatchApproval":
		return new(*approvalParams)
	case "item/permissions/requestApproval":
		return new(*permissionsParams)
	case "item/tool/requestUserInput":
		return new(*userInputParams)
	case "item/tool/call":
		return new(*toolCallParams)
	}
	return nil
}

// errNoParams is the error of a frame that lacks the params its method needs.
var errNoParams = errors.New("no params")

// paramsOf is f's params as paramsFor's type for its method, or why they are not.
func paramsOf[T any](f *jsonl.Frame) (*T, error) {
	if f.DecodedErr != nil {
		return nil, f.DecodedErr
	}
	p, ok := f.Decoded.(*T)
	if !ok {
		return nil, errNoParams
	}
	return p, nil
}

// paramsOrZero is f's params, or T's zero value when they are missing or do not fit.
func paramsOrZero[T any](f *jsonl.Frame) T {
	if p, err := paramsOf[T](f); err == nil {
		return *p
	}
	var zero T
	return zero
}
