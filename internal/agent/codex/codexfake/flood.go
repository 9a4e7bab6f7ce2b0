package codexfake

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// obj is a JSON object whose members keep the order they were given in, as Codex writes
// them (type first, bulky output last); encoding a Go map would sort them instead.
type obj []any

func (o obj) MarshalJSON() ([]byte, error) { return o.appendJSON(nil) }

// appendJSON appends o's encoding to dst. Nested objects and arrays are appended in place:
// through MarshalJSON, encoding/json would check and copy each nested object's bytes once
// per level, which made rendering a flood block cost every fake agent milliseconds at start.
func (o obj) appendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, '{')
	for i := 0; i+1 < len(o); i += 2 {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendValue(dst, o[i]); err != nil {
			return nil, err
		}
		dst = append(dst, ':')
		if dst, err = appendValue(dst, o[i+1]); err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}

// appendValue appends v's encoding: objects and arrays of values member by member, anything
// else as encoding/json writes it.
func appendValue(dst []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case obj:
		return v.appendJSON(dst)
	case []obj:
		dst = append(dst, '[')
		for i, o := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = o.appendJSON(dst); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	}
	b, err := json.Marshal(v)
	return append(dst, b...), err
}

// floodBlock renders a run of notifications shaped like a busy real turn: item lifecycles
// for commands with output, agent message deltas, reasoning deltas, token usage and status
// changes, with sizes from a hundred bytes to a few kilobytes.
func floodBlock(thread, turn string) []byte {
	var b []byte
	add := func(method string, params obj) {
		var err error
		if b, err = (obj{"method", method, "params", params, "emittedAtMs", 1795653613431}).appendJSON(b); err != nil {
			panic(err)
		}
		b = append(b, '\n')
	}
	usage := func(total, out int) obj {
		return obj{"totalTokens", total, "inputTokens", total - out, "cachedInputTokens", 100, "cacheWriteInputTokens", 0, "outputTokens", out, "reasoningOutputTokens", 0}
	}
	for i := range 32 {
		id := fmt.Sprintf("call_%d", i)
		cmd := fmt.Sprintf("/bin/bash -lc 'go test ./pkg%d/...'", i)
		actions := []obj{{"type", "unknown", "command", cmd}}
		add("item/started", obj{"item", obj{
			"type", "commandExecution", "id", id, "command", cmd, "cwd", "/srv/workspaces/ENG-1", "processId", nil, "source", "agent",
			"status", "inProgress", "commandActions", actions, "aggregatedOutput", nil, "exitCode", nil,
		}, "threadId", thread, "turnId", turn})
		add("item/agentMessage/delta", obj{"threadId", thread, "turnId", turn, "itemId", "msg_1", "delta", strings.Repeat("word ", 4+i%8)})
		add("item/reasoning/textDelta", obj{"threadId", thread, "turnId", turn, "itemId", "rs_1", "delta", "thinking about the failing test \"quoted\" \\ path"})
		add("item/completed", obj{"item", obj{
			"type", "commandExecution", "id", id, "command", cmd, "cwd", "/srv/workspaces/ENG-1", "processId", "4242", "source", "unifiedExecStartup",
			"status", "completed", "commandActions", actions,
			"aggregatedOutput", strings.Repeat(fmt.Sprintf("ok  \tgithub.com/example/pkg%d\t0.%03ds\n", i, i), 4+i%24),
			"exitCode", 0, "durationMs", 1200 + i,
		}, "threadId", thread, "turnId", turn})
		if i%8 == 0 {
			add("thread/tokenUsage/updated", obj{"threadId", thread, "turnId", turn, "tokenUsage", obj{
				"total", usage(1000+i, 100+i), "last", usage(10, 1), "modelContextWindow", 258400,
			}})
			add("thread/status/changed", obj{"threadId", thread, "status", obj{"type", "active", "activeFlags", []any{}}})
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

// writePaced writes at least n bytes of the same notifications as WriteFlood, one block at a
// time, spread evenly over d.
func writePaced(w *bufio.Writer, n int64, d time.Duration, thread, turn string) error {
	block := floodBlock(thread, turn)
	blocks := max(1, (n+int64(len(block))-1)/int64(len(block)))
	start := time.Now()
	for i := range blocks {
		if _, err := w.Write(block); err != nil {
			return err
		}
		if err := w.Flush(); err != nil {
			return err
		}
		time.Sleep(time.Until(start.Add(d * time.Duration(i+1) / time.Duration(blocks))))
	}
	return nil
}
