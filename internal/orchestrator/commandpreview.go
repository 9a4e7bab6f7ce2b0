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

// trim leaves the output preview of a command record made at `at` to the summary once the
// interval's budget is spent. A command with no output still records an empty preview.
func (p *commandPreviews) trim(at time.Time, c *commandDetails) {
	if p.from.IsZero() || at.Sub(p.from) >= outputSummaryInterval {
		p.from, p.kept, p.failed = at, 0, 0
	}
	count, limit := &p.kept, commandPreviewsPerInterval
	if c.failed() {
		count, limit = &p.failed, failedCommandPreviewsPerInterval
	}
	if *count < limit {
		*count++
		return
	}
	c.keepOutput = false
}
