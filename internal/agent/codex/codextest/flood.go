package codextest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// floodBlock renders a run of notifications shaped like a busy real turn: item lifecycles
// for commands with output, agent message deltas, reasoning deltas, token usage and status
// changes, with sizes from a hundred bytes to a few kilobytes.
func floodBlock(thread, turn string) []byte {
	var b []byte
	add := func(method string, params map[string]any) {
		params["threadId"] = thread
		params["turnId"] = turn
		line, err := json.Marshal(map[string]any{"method": method, "params": params, "emittedAtMs": 1795653613431})
		if err != nil {
			panic(err)
		}
		b = append(append(b, line...), '\n')
	}
	for i := range 32 {
		id := fmt.Sprintf("call_%d", i)
		cmd := fmt.Sprintf("/bin/bash -lc 'go test ./pkg%d/...'", i)
		add("item/started", map[string]any{"item": map[string]any{
			"type": "commandExecution", "id": id, "command": cmd, "cwd": "/work/ws", "status": "inProgress",
			"commandActions": []any{map[string]any{"type": "unknown", "command": cmd}}, "aggregatedOutput": nil,
		}})
		add("item/agentMessage/delta", map[string]any{"itemId": "msg_1", "delta": strings.Repeat("word ", 4+i%8)})
		add("item/reasoning/textDelta", map[string]any{"itemId": "rs_1", "delta": "thinking about the failing test \"quoted\" \\ path"})
		add("item/completed", map[string]any{"item": map[string]any{
			"type": "commandExecution", "id": id, "command": cmd, "cwd": "/work/ws", "status": "completed", "exitCode": 0,
			"aggregatedOutput": strings.Repeat(fmt.Sprintf("ok  \tgithub.com/example/pkg%d\t0.%03ds\n", i, i), 4+i%24), "durationMs": 1200 + i,
		}})
		if i%8 == 0 {
			add("thread/tokenUsage/updated", map[string]any{"tokenUsage": map[string]any{
				"total": map[string]any{"totalTokens": 1000 + i, "inputTokens": 900, "cachedInputTokens": 100, "cacheWriteInputTokens": 0, "outputTokens": 100 + i, "reasoningOutputTokens": 0},
				"last":  map[string]any{"totalTokens": 10, "inputTokens": 9, "cachedInputTokens": 1, "cacheWriteInputTokens": 0, "outputTokens": 1, "reasoningOutputTokens": 0},
			}})
			add("thread/status/changed", map[string]any{"status": map[string]any{"type": "active", "activeFlags": []any{}}})
		}
	}
	return b
}

// WriteFlood writes at least n bytes of realistic notifications to w, as whole lines.
func WriteFlood(w io.Writer, n int64, thread, turn string) error {
	block := floodBlock(thread, turn)
	for written := int64(0); written < n; written += int64(len(block)) {
		if _, err := w.Write(block); err != nil {
			return err
		}
	}
	return nil
}
