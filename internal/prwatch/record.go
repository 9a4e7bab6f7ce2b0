package prwatch

import (
	"slices"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/prompt"
)

// Poller names, as stored in pr_watch.poller.
const (
	pollerReview = "review"
	pollerCI     = "ci"
)

// Actions the pollers take; a transition's phases are <action>_transition_pending while the
// tracker call is outstanding and <action>_requested once it is done.
const (
	actionRework   = "rework"
	actionConflict = "conflict"
	actionMerge    = "merge"
	actionCIFix    = "ci_fix"
	actionEscalate = "escalate"
	// actionCleanup removes the workspace of a merged, closed or stale pull request; its
	// pending phase is cleanup_transition_pending, and it ends in done_<reason>.
	actionCleanup = "cleanup"
	// actionRerun reruns the failed jobs of a head commit's Actions runs; its pending phase
	// is rerun_transition_pending, and it ends in rerun_requested.
	actionRerun = "rerun"
)

// Phases that are not a transition.
const (
	phaseWatching          = "watching"
	phaseCoolingDown       = "cooling_down"
	phaseCIOwned           = "ci_owned"
	phaseForkRefused       = "fork_refused"
	phaseConflictActiveRun = "conflict_active_run"
	phaseConflictEscalated = "conflict_escalated"
	phaseTransitionError   = "state_transition_error"
	phaseRerunRequested    = "rerun_requested"
	phaseFailureHandled    = "failure_already_handled"
	phasePending           = "checks_pending"
	phaseGreen             = "green"
	phaseEscalated         = "escalated"
)

// donePhase ends the watch of a merged, closed or stale pull request. The record stays, so
// an issue left in the review state is not rediscovered and reported again every cycle.
func donePhase(reason string) string { return "done_" + reason }

func isDone(phase string) bool { return strings.HasPrefix(phase, "done_") }

// maxConflictRetries is how many conflict runs one PR gets before the poller escalates.
const maxConflictRetries = 3

// maxRepliedIDs bounds the ledger of comments already answered.
const maxRepliedIDs = 500

func pendingPhase(action string) string   { return action + "_transition_pending" }
func requestedPhase(action string) string { return action + "_requested" }
func deferredPhase(action string) string  { return action + "_deferred" }

// pendingAction is the action a <action>_transition_pending phase is waiting on, or "".
func pendingAction(phase string) string {
	for _, a := range []string{actionRework, actionConflict, actionMerge, actionCIFix, actionEscalate, actionCleanup, actionRerun} {
		if phase == pendingPhase(a) {
			return a
		}
	}
	return ""
}

// Comment is one piece of reviewer feedback, normalised across conversation comments,
// review bodies and inline comments.
type Comment struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	URL       string    `json:"url,omitempty"`
	Path      string    `json:"path,omitempty"`
	Line      int       `json:"line,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Comment kinds.
const (
	kindComment = "comment"
	kindReview  = "review"
	kindInline  = "inline_comment"
)

// watch is what both pollers keep about one issue's pull request.
type watch struct {
	RepoKey    string `json:"repo_key"`
	IssueID    string `json:"issue_id"`
	Identifier string `json:"identifier"`
	PRURL      string `json:"pr_url"`
	// WorkerHost is the SSH worker host of the issue's latest run, which holds its workspace.
	WorkerHost string `json:"worker_host,omitempty"`
	Phase      string `json:"phase"`
	Error      string `json:"error,omitempty"`
	// TargetState is where the pending or last transition moves the issue.
	TargetState  string    `json:"target_state,omitempty"`
	LastAction   string    `json:"last_action,omitempty"`
	LastActionAt time.Time `json:"last_action_at,omitzero"`
	// ConsecutiveErrors and NextPollAt are the per-PR back-off after GitHub errors.
	ConsecutiveErrors int       `json:"consecutive_errors,omitempty"`
	NextPollAt        time.Time `json:"next_poll_at,omitzero"`
	Degraded          bool      `json:"degraded,omitempty"`
}

// reviewRecord is the review poller's durable state for one pull request.
type reviewRecord struct {
	watch
	LastActivityAt time.Time `json:"last_activity_at,omitzero"`
	// LastAddressedCommentID is the cursor: comments after it are new. LastAddressedCommentAt
	// stands in when that comment has been deleted.
	LastAddressedCommentID string    `json:"last_addressed_comment_id,omitempty"`
	LastAddressedCommentAt time.Time `json:"last_addressed_comment_at,omitzero"`
	// PendingComments were sent to the last rework run; PendingHeadSHA is the head they were
	// seen on, so the cursor only moves once the head has advanced past it.
	PendingComments []Comment `json:"pending_comments,omitempty"`
	PendingHeadSHA  string    `json:"pending_head_sha,omitempty"`
	RepliedIDs      []string  `json:"replied_ids,omitempty"`
	AddressedSHA    string    `json:"addressed_sha,omitempty"`
	HeadRef         string    `json:"head_ref,omitempty"`
	// Conflict is the context of the last conflict run; ConflictKeys are the head|base pairs
	// already sent, ConflictRetries how many conflict runs the PR has had.
	Conflict        *prompt.Conflict `json:"conflict,omitempty"`
	ConflictKeys    []string         `json:"conflict_keys,omitempty"`
	ConflictRetries int              `json:"conflict_retries,omitempty"`
	// CleanupReason is why the watch ends (merged, closed, stale) while its workspace is
	// being removed.
	CleanupReason string `json:"cleanup_reason,omitempty"`
}

// ciRecord is the CI poller's durable state for one pull request.
type ciRecord struct {
	watch
	LastObservedSHA string `json:"last_observed_sha,omitempty"`
	HeadRef         string `json:"head_ref,omitempty"`
	// FixAttempts counts fix runs over the PR's life; a new head does not reset it.
	FixAttempts    int      `json:"fix_attempts"`
	DispatchedSHAs []string `json:"dispatched_shas,omitempty"`
	RerunSHAs      []string `json:"rerun_shas,omitempty"`
	RerunRunIDs    []int64  `json:"rerun_run_ids,omitempty"`
	// PendingReruns are the runs a pending rerun asks GitHub to rerun, each with the attempt
	// seen before asking, so a replay can tell whether GitHub already started a new one.
	PendingReruns  []pendingRerun `json:"pending_reruns,omitempty"`
	LastDispatchAt time.Time      `json:"last_dispatch_at,omitzero"`
	// Failure is the failing-CI context of the pending or last fix run.
	Failure *prompt.CIFailure `json:"failure,omitempty"`
}

// pendingRerun is one Actions run a rerun transition is about.
type pendingRerun struct {
	RunID   int64 `json:"run_id"`
	Attempt int   `json:"attempt"`
}

// ownsIssue reports whether the CI poller is working the issue, so the review poller must
// not start a rework on top of it.
func (r *ciRecord) ownsIssue() bool {
	switch r.Phase {
	case pendingPhase(actionCIFix), requestedPhase(actionCIFix), pendingPhase(actionRerun), phaseRerunRequested, pendingPhase(actionEscalate), phaseEscalated, phaseTransitionError:
		return true
	}
	return false
}

func appendCapped(list []string, v string, limit int) []string {
	if slices.Contains(list, v) {
		return list
	}
	list = append(list, v)
	if len(list) > limit {
		list = list[len(list)-limit:]
	}
	return list
}
