package orchestrator

import (
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/workspace"
)

// loopMessage is everything the loop goroutine accepts on its inbox. The interface is sealed
// by an unexported method, so the set below is the whole set: handle panics on anything else,
// because a message nobody handles is a programming error, not something to drop quietly.
//
// workerUpdate is the one message defined elsewhere, beside the worker that fills it.
type loopMessage interface{ loopMessage() }

func (msgTick) loopMessage()        {}
func (msgWatchdog) loopMessage()    {}
func (msgPoll) loopMessage()        {}
func (msgRetryDue) loopMessage()    {}
func (msgRetryPoll) loopMessage()   {}
func (workerUpdate) loopMessage()   {}
func (msgExit) loopMessage()        {}
func (msgControl) loopMessage()     {}
func (msgSettings) loopMessage()    {}
func (msgPublish) loopMessage()     {}
func (msgDispatchPR) loopMessage()  {}
func (msgGate) loopMessage()        {}
func (msgProbeDue) loopMessage()    {}
func (msgProbeResult) loopMessage() {}

// msgPublish publishes the agent progress a throttled publish held back.
type msgPublish struct{}

// msgTick starts the next poll.
type msgTick struct{}

// msgWatchdog runs one no-progress check.
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
	// replies is what the poll found for the issues waiting for human input, by issue id.
	replies map[string]replyFound
	// took is how long the poll's tracker calls and checks took.
	took time.Duration
}

// msgRetryDue says a retry timer fired; gen tells it from a timer that was replaced.
type msgRetryDue struct {
	issueID string
	gen     uint64
}

// msgRetryPoll carries the tracker's answer for a due retry.
type msgRetryPoll struct {
	issueID string
	gen     uint64
	cands   tracker.Candidates
	err     error
}

// msgExit reports how an attempt ended.
type msgExit struct {
	runID   string
	issueID string
	res     attemptResult
}

// msgControl is an operator request; the loop answers on reply.
type msgControl struct {
	op    controlOp
	arg   string
	reply chan error
}

// msgDispatchPR asks the loop to start one pull-request run; the loop answers on reply.
type msgDispatchPR struct {
	repoKey string
	pr      prompt.PullRequest
	reply   chan error
}

// msgGate is one issue-gate round: each scored candidate's decision and the model calls made.
type msgGate struct {
	results []gateResult
	calls   int
}

// msgSettings replaces the settings in force; the loop answers on reply.
type msgSettings struct {
	s     Settings
	reply chan error
}

// msgProbeDue says a worker host out of service is due for its health probe.
type msgProbeDue struct{}

// msgProbeResult is one health probe's outcome: err is nil when the host answered.
type msgProbeResult struct {
	host string
	err  error
}
