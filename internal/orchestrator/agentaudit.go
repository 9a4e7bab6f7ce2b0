package orchestrator

import (
	"encoding/json"
	"regexp"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/audit"
)

// outputPreviewChars bounds how much command output an audit record keeps; the audit log
// records what was done, not full transcripts.
const outputPreviewChars = 500

// agentActivity turns a session event into the audit record of something the agent did on the
// issue's behalf: a client-side tool call, a shell command it ran, or files it changed. Other
// events are not audit material and report false. The audit log scrubs secrets from every
// string before writing.
func agentActivity(ev agent.Event) (eventType string, details map[string]any, ok bool) {
	switch {
	case ev.Kind == agent.EventToolCall:
		return audit.EventToolCall, map[string]any{"tool": ev.Message}, true
	case ev.Kind == agent.EventNotification && ev.Method == "item/completed":
		return completedItem(ev.Raw, ev.RawTruncated)
	}
	return "", nil, false
}

type completedFrame struct {
	Params struct {
		Item struct {
			Type             string `json:"type"`
			Command          string `json:"command"`
			Cwd              string `json:"cwd"`
			Status           string `json:"status"`
			ExitCode         *int   `json:"exitCode"`
			AggregatedOutput string `json:"aggregatedOutput"`
			Changes          []struct {
				Path string `json:"path"`
				Kind any    `json:"kind"`
			} `json:"changes"`
		} `json:"item"`
	} `json:"params"`
}

// A truncated frame cannot be decoded, but the item type and command come before the bulky
// output in Codex's frames, so they are read from the prefix.
var (
	itemTypeField = regexp.MustCompile(`"item":\{"type":"([A-Za-z]+)"`)
	commandField  = regexp.MustCompile(`"command":"((?:[^"\\]|\\.)*)"`)
)

func completedItem(raw []byte, truncated bool) (string, map[string]any, bool) {
	var f completedFrame
	if err := json.Unmarshal(raw, &f); err != nil {
		return truncatedItem(raw, truncated)
	}
	item := f.Params.Item
	switch item.Type {
	case "commandExecution":
		d := map[string]any{"command": item.Command, "cwd": item.Cwd, "status": item.Status,
			"output_preview": preview(item.AggregatedOutput)}
		if item.ExitCode != nil {
			d["exit_code"] = *item.ExitCode
		}
		return audit.EventCommandExecuted, d, true
	case "fileChange":
		paths := make([]string, 0, len(item.Changes))
		for _, c := range item.Changes {
			paths = append(paths, c.Path)
		}
		return audit.EventFileChanged, map[string]any{"paths": paths, "status": item.Status}, true
	}
	return "", nil, false
}

func truncatedItem(raw []byte, truncated bool) (string, map[string]any, bool) {
	m := itemTypeField.FindSubmatch(raw)
	if !truncated || m == nil {
		return "", nil, false
	}
	switch string(m[1]) {
	case "commandExecution":
		d := map[string]any{"frame_truncated": true}
		if c := commandField.FindSubmatch(raw); c != nil {
			var cmd string
			if json.Unmarshal(append(append([]byte{'"'}, c[1]...), '"'), &cmd) == nil {
				d["command"] = cmd
			}
		}
		return audit.EventCommandExecuted, d, true
	case "fileChange":
		return audit.EventFileChanged, map[string]any{"frame_truncated": true}, true
	}
	return "", nil, false
}

func preview(s string) string {
	r := []rune(s)
	if len(r) <= outputPreviewChars {
		return s
	}
	return string(r[:outputPreviewChars]) + "…"
}
