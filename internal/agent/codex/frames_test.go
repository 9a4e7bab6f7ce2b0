package codex

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/symphony-go/symphony/internal/agent/jsonl"
)

// The session reads its stdout lines valid only until its next Take, and keeps what it
// decoded from them far longer (rate limits in its state, tool arguments in a tool's
// goroutine, results in a caller's hands): a decoded frame, params of every type the session
// reads included, must share no memory with its line.
func TestDecodedFramesShareNoMemoryWithTheirLine(t *testing.T) {
	lines := []string{
		`{"method":"turn/completed","params":{"turn":{"id":"u1","status":"failed","error":{"message":"boom","codexErrorInfo":{"usageLimitExceeded":{"resetsAt":1}}}}}}`,
		`{"method":"thread/tokenUsage/updated","params":{"threadId":"t1","tokenUsage":{"total":{"totalTokens":12,"inputTokens":10,"outputTokens":2}}}}`,
		`{"method":"account/rateLimits/updated","params":{"rateLimits":{"primary":{"usedPercent":42,"resetsAt":1796616567}}}}`,
		`{"method":"item/completed","params":{"turnId":"u1","item":{"type":"commandExecution","status":"failed","command":"make","cwd":"/ws","aggregatedOutput":"out\nput","exitCode":2}}}`,
		`{"method":"item/completed","params":{"turnId":"u1","item":{"type":"dynamicToolCall","status":"failed","tool":"echo","arguments":{"text":"hi"},"success":false}}}`,
		`{"method":"item/completed","params":{"item":{"type":"fileChange","status":"completed","changes":[{"path":"/ws/a.go"}]}}}`,
		`{"method":"error","params":{"error":{"message":"stream error"},"willRetry":true}}`,
		`{"id":7,"method":"item/commandExecution/requestApproval","params":{"command":"rm -rf /"}}`,
		`{"id":"8","method":"item/permissions/requestApproval","params":{"permissions":{"network":true}}}`,
		`{"id":9,"method":"item/tool/requestUserInput","params":{"turnId":"u1","questions":[{"header":"h","question":"q?","options":[{"label":"yes"}]}]}}`,
		`{"id":10,"method":"item/tool/call","params":{"tool":"echo","arguments":{"text":"hello"}}}`,
		`{"id":3,"result":{"thread":{"id":"t1"},"model":"m"}}`,
		`{"id":4,"error":{"code":-32000,"message":"refused","data":{"why":"policy"}}}`,
	}
	// Rendered, so that the reference holds its own bytes whatever the frames share.
	render := func(line []byte) string {
		f, err := decodeFrame(line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		out, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	var frames []jsonl.Frame
	var want []string
	for _, line := range lines {
		want = append(want, render([]byte(line)))
		buf := []byte(line)
		f, err := decodeFrame(buf)
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, f)
		// What a later line copied into the same memory does.
		copy(buf, bytes.Repeat([]byte{'#'}, len(buf)))
	}
	for i, f := range frames {
		if got, err := json.Marshal(f); err != nil || string(got) != want[i] {
			t.Errorf("overwriting the line and decoding others changed its frame to %s: %s", got, lines[i])
		}
	}
}
