package orchestrator

import "time"

// Command output previews a session's audit records keep per outputSummaryInterval. A model
// runs a command every few seconds, so every command of an ordinary turn keeps its preview;
// an agent running commands by the hundred still gets a whole record of each one (command,
// directory, status, exit code), but only the first few carry a preview of output its
// agent_output_summary already accounts for. Failed commands have a budget of their own, since
// their output says why.
const (
	commandPreviewsPerInterval       = 8
	failedCommandPreviewsPerInterval = 8
)

// commandPreviews is one session's preview budget, counted on event times like the output
// summary, so no timer runs for it. Only audit record builders touch it, and the recorder runs
// those one at a time in posting order, so it needs no lock of its own.
type commandPreviews struct {
	from         time.Time
	kept, failed int
}

// trim removes the output preview from the details of a command record made at `at` once the
// interval's budget is spent. A record without output_preview had its output left to the
// summary; a command with no output still records an empty preview.
func (p *commandPreviews) trim(at time.Time, details map[string]any) {
	if p.from.IsZero() || at.Sub(p.from) >= outputSummaryInterval {
		p.from, p.kept, p.failed = at, 0, 0
	}
	count, limit := &p.kept, commandPreviewsPerInterval
	if commandFailed(details) {
		count, limit = &p.failed, failedCommandPreviewsPerInterval
	}
	if *count < limit {
		*count++
		return
	}
	delete(details, "output_preview")
}

// commandFailed reports whether a command record's details (agentActivity's) show a failure:
// a non-zero exit code or a failed status.
func commandFailed(details map[string]any) bool {
	code, _ := details["exit_code"].(int)
	return code != 0 || details["status"] == "failed"
}
