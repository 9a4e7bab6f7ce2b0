package orchestrator

import (
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/audit"
)

func TestAgentActivityBecomesAuditRecords(t *testing.T) {
	command := `{"method":"item/completed","params":{"item":{"type":"commandExecution","id":"call_1","command":"/bin/bash -lc 'make test'","cwd":"/ws/ENG-1","status":"completed","aggregatedOutput":"ok\n","exitCode":2},"threadId":"t","turnId":"u"}}`
	files := `{"method":"item/completed","params":{"item":{"type":"fileChange","id":"f","status":"completed","changes":[{"path":"/ws/ENG-1/a.go","kind":{"type":"update"}},{"path":"/ws/ENG-1/b.go","kind":{"type":"add"}}]}}}`
	message := `{"method":"item/completed","params":{"item":{"type":"agentMessage","text":"done"}}}`
	long := `{"method":"item/completed","params":{"item":{"type":"commandExecution","id":"c","command":"echo \"quoted\"","cwd":"/ws","status":"completed","aggregatedOutput":"` + strings.Repeat("x", 100)
	cases := []struct {
		name string
		ev   agent.Event
		typ  string
		want map[string]any
	}{
		{"tool call", agent.Event{Kind: agent.EventToolCall, Message: "linear_get_issue"}, audit.EventToolCall,
			map[string]any{"tool": "linear_get_issue"}},
		{"command", agent.Event{Kind: agent.EventNotification, Method: "item/completed", Raw: []byte(command)}, audit.EventCommandExecuted,
			map[string]any{"command": "/bin/bash -lc 'make test'", "cwd": "/ws/ENG-1", "exit_code": 2, "output_preview": "ok\n"}},
		{"file change", agent.Event{Kind: agent.EventNotification, Method: "item/completed", Raw: []byte(files)}, audit.EventFileChanged,
			map[string]any{"status": "completed"}},
		{"truncated command", agent.Event{Kind: agent.EventNotification, Method: "item/completed", Raw: []byte(long), RawTruncated: true},
			audit.EventCommandExecuted, map[string]any{"command": `echo "quoted"`, "frame_truncated": true}},
		{"agent message", agent.Event{Kind: agent.EventNotification, Method: "item/completed", Raw: []byte(message)}, "", nil},
		{"token usage", agent.Event{Kind: agent.EventTokenUsage}, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			typ, details, ok := agentActivity(c.ev)
			if ok != (c.typ != "") || typ != c.typ {
				t.Fatalf("type %q ok %v, want %q", typ, ok, c.typ)
			}
			for k, v := range c.want {
				if details[k] != v {
					t.Errorf("%s = %#v, want %#v", k, details[k], v)
				}
			}
		})
	}
	_, details, _ := agentActivity(agent.Event{Kind: agent.EventNotification, Method: "item/completed", Raw: []byte(files)})
	if paths, _ := details["paths"].([]string); strings.Join(paths, ",") != "/ws/ENG-1/a.go,/ws/ENG-1/b.go" {
		t.Errorf("paths = %v", details["paths"])
	}
}
