package codex

import (
	"slices"

	"github.com/symphony-go/symphony/internal/agent"
)

// itemActivity is what a completed commandExecution or fileChange item reports for the audit
// record; other items report none. Command output is cut to a preview here, so an activity a
// consumer keeps holds no more than that.
func itemActivity(item *completedItem) agent.Activity {
	switch item.Type {
	case "commandExecution":
		return &activity{kind: agent.ActivityCommand, details: agent.ActivityDetails{
			Command: item.Command, Cwd: item.Cwd, Status: item.Status, ExitCode: item.ExitCode,
			Output: string(item.AggregatedOutput),
		}}
	case "fileChange":
		paths := make([]string, 0, len(item.Changes))
		for _, c := range item.Changes {
			if c.Path != "" {
				paths = append(paths, c.Path)
			}
		}
		return &activity{kind: agent.ActivityFileChange, details: agent.ActivityDetails{Status: item.Status, Paths: paths}}
	}
	return nil
}

// activity is a decoded command or file change.
type activity struct {
	kind    agent.ActivityKind
	details agent.ActivityDetails
}

func (a *activity) ActivityKind() agent.ActivityKind { return a.kind }

// Describe returns the details; each call gets its own copy of the slices in them.
func (a *activity) Describe() agent.ActivityDetails {
	d := a.details
	d.Paths = slices.Clone(d.Paths)
	if d.ExitCode != nil {
		code := *d.ExitCode
		d.ExitCode = &code
	}
	return d
}
