package orchestrator

import (
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/issue"
)

// activityRecord is the audit record of something the agent did on the issue's behalf: a
// shell command it ran (command_executed) or files it changed (file_changed).
type activityRecord struct {
	typ string
	// command holds a command's details; details those of a file change.
	command commandDetails
	details map[string]any
}

// commandDetails are a command_executed record's details. Agents run commands by the
// thousand, so they reach the audit log as audit.Fields, stored exactly as the map of the
// same keys would be, without building, walking and sorting one per command.
type commandDetails struct {
	command, cwd, status, output string
	exitCode                     *int
	// keepOutput is cleared when the record leaves the output preview to the summary.
	keepOutput bool
}

// failed reports whether the command failed: a non-zero exit code or a failed status.
func (c commandDetails) failed() bool {
	return (c.exitCode != nil && *c.exitCode != 0) || c.status == "failed"
}

// fields are the details in the audit log's key order: command, cwd, exit_code (when the
// agent reported one), output_preview (unless left to the summary), status.
func (c commandDetails) fields() audit.Fields {
	fs := make(audit.Fields, 0, 5)
	fs = append(fs, audit.Text("command", c.command), audit.Text("cwd", c.cwd))
	if c.exitCode != nil {
		fs = append(fs, audit.Int("exit_code", int64(*c.exitCode)))
	}
	if c.keepOutput {
		fs = append(fs, audit.Text("output_preview", c.output))
	}
	return append(fs, audit.Text("status", c.status))
}

// event is the record as an audit event of the attempt.
func (r activityRecord) event(at time.Time, is issue.Issue, runID, sessionID string) audit.Event {
	ev := issueEvent(at, is, runID, sessionID, r.typ, r.details)
	if r.typ == audit.EventCommandExecuted {
		ev.Fields = r.command.fields()
	}
	return ev
}

// agentActivity turns a session event's activity into the audit record of what the agent
// did. Other events are not audit material and report false; tool calls are audited by the
// tool host that serves them, with their outcome. It decodes the activity's details, so it
// runs on the recorder's goroutine, not on the agent's event path. The audit log scrubs
// secrets from every string before writing.
func agentActivity(a agent.Activity) (activityRecord, bool) {
	if a == nil {
		return activityRecord{}, false
	}
	d := a.Describe()
	switch a.ActivityKind() {
	case agent.ActivityCommand:
		return activityRecord{typ: audit.EventCommandExecuted, command: commandDetails{command: d.Command, cwd: d.Cwd,
			status: d.Status, output: d.Output, exitCode: d.ExitCode, keepOutput: true}}, true
	case agent.ActivityFileChange:
		return activityRecord{typ: audit.EventFileChanged, details: map[string]any{"paths": d.Paths, "status": d.Status}}, true
	}
	return activityRecord{}, false
}
