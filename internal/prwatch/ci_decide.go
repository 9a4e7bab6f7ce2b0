package prwatch

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/prompt"
)

// escalationGrace keeps a just-dispatched fix from being escalated before its run has had a
// chance to push.
const escalationGrace = 120 * time.Second

// failedCheck is one failing check of the head commit; RunID is its Actions run, 0 for a
// plain commit status.
type failedCheck struct {
	Name       string
	Conclusion string
	RunID      int64
}

// ciView is the CI state of a pull request's head commit.
type ciView struct {
	PR      github.PullRequest
	Failed  []failedCheck
	Pending bool
	// Runs are the Actions runs of the head commit.
	Runs []github.WorkflowRun
}

// ciGuards are the facts from outside GitHub a CI decision depends on.
type ciGuards struct {
	Now time.Time
	// ReworkRunning is true while an agent run for the issue is in progress.
	ReworkRunning bool
	Paused        bool
}

// ciRules are the configured limits.
type ciRules struct {
	RetryFailedOnce bool
	MaxFixAttempts  int
}

// ciDecision is what the CI poller does for one pull request this cycle.
type ciDecision struct {
	Row     string
	Phase   string
	Cleanup bool
	// Rerun lists the Actions runs whose failed jobs are rerun.
	Rerun []int64
	// Action is actionCIFix or actionEscalate when a transition starts.
	Action string
	// Release drops CI ownership: CI went green while a rework run was working the issue.
	Release bool
}

// resetForHead forgets the per-commit memory when the head moved; the lifetime fix count
// stays, and an escalation ends because the new commit deserves a fresh look.
func resetForHead(rec *ciRecord, head string) {
	if rec.LastObservedSHA == head {
		return
	}
	rec.LastObservedSHA = head
	rec.DispatchedSHAs, rec.RerunSHAs, rec.RerunRunIDs = nil, nil, nil
	if rec.Phase == phaseEscalated || rec.Phase == pendingPhase(actionEscalate) {
		rec.Phase = phaseWatching
	}
}

// decideCI is the CI poller's decision table; resetForHead has already run.
func decideCI(rec ciRecord, v ciView, g ciGuards, r ciRules) ciDecision {
	pr := v.PR
	switch {
	case pr.State == github.PullRequestMerged || pr.State == github.PullRequestClosed:
		return ciDecision{Row: "closed", Cleanup: true}
	case len(v.Failed) == 0 && v.Pending:
		return ciDecision{Row: "pending", Phase: phasePending}
	case len(v.Failed) == 0:
		return ciDecision{Row: "green", Phase: phaseGreen, Release: g.ReworkRunning && (rec.FixAttempts > 0 || rec.ownsIssue())}
	case pr.CrossRepository():
		return ciDecision{Row: "failure", Phase: phaseForkRefused}
	}
	sha := pr.HeadSHA
	if r.RetryFailedOnce && !slices.Contains(rec.RerunSHAs, sha) {
		if ids := runIDs(v.Failed); len(ids) > 0 {
			return ciDecision{Row: "failure_rerun", Phase: phaseRerunRequested, Rerun: ids}
		}
	}
	if rec.FixAttempts >= r.MaxFixAttempts {
		switch {
		case rec.Phase == phaseEscalated:
			return ciDecision{Row: "failure_escalated", Phase: phaseEscalated}
		case g.ReworkRunning:
			return ciDecision{Row: "failure_escalate", Phase: rec.Phase}
		case slices.Contains(rec.DispatchedSHAs, sha) && g.Now.Sub(rec.LastDispatchAt) < escalationGrace:
			return ciDecision{Row: "failure_escalate", Phase: rec.Phase}
		case g.Paused:
			return ciDecision{Row: "failure_escalate", Phase: deferredPhase(actionEscalate)}
		}
		return ciDecision{Row: "failure_escalate", Action: actionEscalate}
	}
	switch {
	case slices.Contains(rec.DispatchedSHAs, sha):
		return ciDecision{Row: "failure_handled", Phase: phaseFailureHandled}
	case g.ReworkRunning:
		return ciDecision{Row: "failure", Phase: rec.Phase}
	case g.Paused:
		return ciDecision{Row: "failure", Phase: deferredPhase(actionCIFix)}
	}
	return ciDecision{Row: "failure", Action: actionCIFix}
}

func runIDs(failed []failedCheck) []int64 {
	var ids []int64
	for _, f := range failed {
		if f.RunID != 0 && !slices.Contains(ids, f.RunID) {
			ids = append(ids, f.RunID)
		}
	}
	return ids
}

// failureConclusions are the check conclusions and status states that mean CI failed.
var failureConclusions = []string{"failure", "error", "cancelled", "timed_out", "action_required", "startup_failure"}

// classifyChecks sorts the head commit's check runs and statuses into failed and pending;
// runs maps an Actions check suite to its workflow run.
func classifyChecks(checks []github.CheckRun, status github.CombinedStatus, runs []github.WorkflowRun) (failed []failedCheck, pending bool) {
	suiteRun := map[int64]int64{}
	for _, r := range runs {
		suiteRun[r.CheckSuiteID] = r.ID
	}
	for _, c := range checks {
		if c.Status != "completed" {
			pending = true
			continue
		}
		if slices.Contains(failureConclusions, strings.ToLower(c.Conclusion)) {
			failed = append(failed, failedCheck{Name: c.Name, Conclusion: strings.ToLower(c.Conclusion), RunID: suiteRun[c.CheckSuiteID]})
		}
	}
	for _, s := range status.Contexts {
		switch strings.ToLower(s.State) {
		case "pending":
			pending = true
		case "failure", "error":
			failed = append(failed, failedCheck{Name: s.Context, Conclusion: strings.ToLower(s.State)})
		}
	}
	return failed, pending
}

// errorLine is what a log line that starts the interesting part looks like.
var errorLine = regexp.MustCompile(`(?i)(error|failed|failure|exception|stacktrace|traceback|panic)`)

// noRunExcerpt stands in for a log when no failing check came from GitHub Actions.
const noRunExcerpt = "No GitHub Actions run id was available for the failed check."

// logExcerpt keeps the last maxLines lines of the failed jobs' logs, starting at the first
// error-looking line among them when there is one.
func logExcerpt(logs []string, maxLines int) string {
	if len(logs) == 0 {
		return noRunExcerpt
	}
	text := strings.ToValidUTF8(strings.Join(logs, "\n"), "?")
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > maxLines {
		lines = lines[len(lines)-maxLines:]
	}
	if i := slices.IndexFunc(lines, errorLine.MatchString); i > 0 {
		lines = lines[i:]
	}
	return strings.Join(lines, "\n")
}

// ciFailure is the prompt context of a fix run.
func ciFailure(sha string, failed []failedCheck, excerpt string) *prompt.CIFailure {
	out := &prompt.CIFailure{CommitSHA: sha, LogExcerpt: excerpt}
	for _, f := range failed {
		id := ""
		if f.RunID != 0 {
			id = strconv.FormatInt(f.RunID, 10)
		}
		out.FailedChecks = append(out.FailedChecks, prompt.CICheck{Name: f.Name, Conclusion: f.Conclusion, RunID: id})
	}
	return out
}
