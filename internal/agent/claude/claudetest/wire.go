package claudetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// wireRequest is the part of a Messages API request the mock reads.
type wireRequest struct {
	Model  string          `json:"model"`
	System json.RawMessage `json:"system"`
	Tools  []struct {
		Name string `json:"name"`
	} `json:"tools"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
}

// wireBlock is a content block: text, or a tool_result whose content is a string or blocks.
type wireBlock struct {
	Type    string          `json:"type"`
	Text    string          `json:"text"`
	Content json.RawMessage `json:"content"`
}

func decodeRequest(body []byte) (Request, error) {
	var w wireRequest
	if err := json.Unmarshal(body, &w); err != nil {
		return Request{}, fmt.Errorf("decode messages request: %w", err)
	}
	req := Request{Model: w.Model, System: blocksText(w.System)}
	var conversation []string
	for _, m := range w.Messages {
		conversation = append(conversation, blocksText(m.Content))
	}
	req.Conversation = strings.Join(conversation, "\n")
	for _, t := range w.Tools {
		req.Tools = append(req.Tools, t.Name)
	}
	for i := len(w.Messages) - 1; i >= 0; i-- {
		m := w.Messages[i]
		if m.Role != "user" {
			continue
		}
		req.Text = blocksText(m.Content)
		var blocks []wireBlock
		if json.Unmarshal(m.Content, &blocks) == nil {
			for _, b := range blocks {
				if b.Type == "tool_result" {
					req.ToolResults = append(req.ToolResults, blocksText(b.Content))
				}
			}
		}
		break
	}
	return req, nil
}

// blocksText joins the text of a string or a list of content blocks.
func blocksText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var blocks []wireBlock
	if json.Unmarshal(raw, &blocks) != nil {
		return ""
	}
	var parts []string
	for _, b := range blocks {
		if b.Type == "text" {
			parts = append(parts, b.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// streamMessage writes one assistant message as the SSE events of the streaming API.
func streamMessage(w http.ResponseWriter, id, model string, r Reply, in, out int) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	event := func(name string, data map[string]any) {
		data["type"] = name
		b, _ := json.Marshal(data)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	if model == "" {
		model = "claude-mock"
	}
	event("message_start", map[string]any{"message": map[string]any{
		"id": id, "type": "message", "role": "assistant", "model": model, "content": []any{},
		"stop_reason": nil, "stop_sequence": nil,
		"usage": map[string]any{"input_tokens": in, "output_tokens": 1, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
	}})
	index := 0
	stop := "end_turn"
	if r.Text != "" || r.ToolUse == nil {
		text := r.Text
		if text == "" {
			text = "ok"
		}
		event("content_block_start", map[string]any{"index": index, "content_block": map[string]any{"type": "text", "text": ""}})
		event("content_block_delta", map[string]any{"index": index, "delta": map[string]any{"type": "text_delta", "text": text}})
		event("content_block_stop", map[string]any{"index": index})
		index++
	}
	if r.ToolUse != nil {
		input, _ := json.Marshal(r.ToolUse.Input)
		event("content_block_start", map[string]any{"index": index, "content_block": map[string]any{
			"type": "tool_use", "id": fmt.Sprintf("toolu_%s_%d", id, index), "name": r.ToolUse.Name, "input": map[string]any{}}})
		event("content_block_delta", map[string]any{"index": index, "delta": map[string]any{"type": "input_json_delta", "partial_json": string(input)}})
		event("content_block_stop", map[string]any{"index": index})
		stop = "tool_use"
	}
	event("message_delta", map[string]any{"delta": map[string]any{"stop_reason": stop, "stop_sequence": nil},
		"usage": map[string]any{"output_tokens": out}})
	event("message_stop", map[string]any{})
}
