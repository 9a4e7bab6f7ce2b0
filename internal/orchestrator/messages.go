package orchestrator

import (
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/workspace"
)

type msgTick struct{}

type msgWatchdog struct{}

// msgPoll is the result of one poll: the reconciliation refresh (when asked for), the
// preflight and disk verdicts, and the candidates of the polled routes.
type msgPoll struct {
	reconcile  bool
	refreshIDs []string
	refreshed  []issue.Issue
	refreshErr error
	preflight  error
	disk       workspace.DiskStatus
	// routes maps a polled route key to its candidates; all is set instead when the tracker
	// was polled as a whole.
	routes   map[string][]issue.Issue
	all      *tracker.Candidates
	fetchErr error
}

type msgRetryDue struct {
	issueID string
	gen     uint64
}

type msgRetryPoll struct {
	issueID string
	gen     uint64
	cands   tracker.Candidates
	err     error
}

type msgExit struct {
	runID   string
	issueID string
	res     attemptResult
}
