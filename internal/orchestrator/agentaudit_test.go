package orchestrator

import (
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/audit"
)

func TestAgentActivityBecomesAuditRecords(t *testing.T) {
	two := 2
	cases := []struct {
		name string
		ev   agent.Event
		typ  string
		want map[string]any
	}{
		// The tool host audits the call with its outcome; the request event alone is not a record.
		{"tool call", agent.Event{Kind: agent.EventToolCall, Message: "linear_get_issue"}, "", nil},
		{"command", agent.Event{Kind: agent.EventNotification, Activity: activity(agent.ActivityCommand, agent.ActivityDetails{
			Command: "make test", Cwd: "/ws/ENG-1", Status: "completed", ExitCode: &two, Output: "ok\n"})},
			audit.EventCommandExecuted, map[string]any{"command": "make test", "cwd": "/ws/ENG-1", "exit_code": int64(2), "output_preview": "ok\n"}},
		{"command without exit code", agent.Event{Kind: agent.EventNotification, Activity: activity(agent.ActivityCommand, agent.ActivityDetails{
			Command: "sleep 9", Status: "interrupted"})}, audit.EventCommandExecuted, map[string]any{"command": "sleep 9", "status": "interrupted"}},
		{"file change", agent.Event{Kind: agent.EventNotification, Activity: activity(agent.ActivityFileChange, agent.ActivityDetails{
			Status: "completed", Paths: []string{"/ws/a.go", "/ws/b.go"}})}, audit.EventFileChanged, map[string]any{"status": "completed"}},
		{"plain notification", agent.Event{Kind: agent.EventNotification, Method: "item/completed"}, "", nil},
		{"token usage", agent.Event{Kind: agent.EventTokenUsage}, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec, ok := agentActivity(c.ev.Activity)
			if ok != (c.typ != "") || rec.typ != c.typ {
				t.Fatalf("type %q ok %v, want %q", rec.typ, ok, c.typ)
			}
			ev := rec.event(epoch, newIssue(1, "In Progress"), "run-1", "s-1")
			details := ev.Details
			if rec.typ == audit.EventCommandExecuted {
				// The log stores Fields as it would their map only when keys ascend.
				for i := 1; i < len(ev.Fields); i++ {
					if ev.Fields[i-1].Key >= ev.Fields[i].Key {
						t.Errorf("fields out of order: %q before %q", ev.Fields[i-1].Key, ev.Fields[i].Key)
					}
				}
				details = ev.Fields.Map()
			}
			for k, v := range c.want {
				if details[k] != v {
					t.Errorf("%s = %#v, want %#v", k, details[k], v)
				}
			}
			if c.name == "command without exit code" {
				if _, has := details["exit_code"]; has {
					t.Errorf("exit_code recorded although none was reported: %v", details)
				}
			}
			if c.name == "file change" {
				if paths, _ := details["paths"].([]string); strings.Join(paths, ",") != "/ws/a.go,/ws/b.go" {
					t.Errorf("paths = %v", details["paths"])
				}
			}
		})
	}
}

// fixedActivity is an activity whose details are already decoded.
type fixedActivity struct {
	kind    agent.ActivityKind
	details agent.ActivityDetails
}

func (a fixedActivity) ActivityKind() agent.ActivityKind { return a.kind }
func (a fixedActivity) Describe() agent.ActivityDetails  { return a.details }

func activity(kind agent.ActivityKind, d agent.ActivityDetails) agent.Activity {
	return fixedActivity{kind: kind, details: d}
}
