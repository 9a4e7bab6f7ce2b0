package orchestrator

import (
	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/audit"
)

// agentActivity turns a session event's activity into the audit record of something the agent did on the
// issue's behalf: a shell command it ran, or files it changed. Other events are not audit
// material and report false; tool calls are audited by the tool host that serves them, with
// their outcome. It decodes the activity's details, so it runs
// on the recorder's goroutine, not on the agent's event path. The audit log scrubs secrets from
// every string before writing.
func agentActivity(a agent.Activity) (eventType string, details map[string]any, ok bool) {
	if a == nil {
		return "", nil, false
	}
	d := a.Describe()
	switch a.ActivityKind() {
	case agent.ActivityCommand:
		details := map[string]any{"command": d.Command, "cwd": d.Cwd, "status": d.Status, "output_preview": d.Output}
		if d.ExitCode != nil {
			details["exit_code"] = *d.ExitCode
		}
		return audit.EventCommandExecuted, details, true
	case agent.ActivityFileChange:
		return audit.EventFileChanged, map[string]any{"paths": d.Paths, "status": d.Status}, true
	}
	return "", nil, false
}
