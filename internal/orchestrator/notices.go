package orchestrator

import (
	"regexp"
	"slices"
	"strings"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/notify"
)

// Notifier hears about the moments an operator may want to be told of (a PR opened, a run
// failed, a budget hit). The loop calls it inline, so an implementation must only queue the
// event and return: *notify.Notifier does exactly that, and delivers from its own goroutines.
type Notifier interface {
	Notify(e notify.Event)
}

// noNotifier is the Notifier of Deps without one.
type noNotifier struct{}

func (noNotifier) Notify(notify.Event) {}

// notice tells the Notifier about a moment of a run; e may be nil when no attempt is running.
func (o *Orchestrator) notice(name string, is issue.Issue, e *runEntry, reason string, metadata map[string]any) {
	o.d.Notifier.Notify(o.noticeEvent(name, is, e, reason, metadata))
}

// noticeEvent is the event notice sends, for callers that add event-specific fields.
func (o *Orchestrator) noticeEvent(name string, is issue.Issue, e *runEntry, reason string, metadata map[string]any) notify.Event {
	ev := notify.Event{Name: name, RepoKey: is.RepoKey, IssueID: is.ID, IssueIdentifier: is.Identifier, IssueURL: is.URL,
		IssueTitle: is.Title, State: is.State, Reason: reason, Metadata: metadata, Time: o.clock.Now()}
	if len(is.PRURLs) > 0 {
		ev.PRURL = is.PRURLs[len(is.PRURLs)-1]
	}
	if e != nil {
		ev.RunID, ev.SessionID, ev.Attempt = e.runID, e.sessionID, e.attempt
		if e.prURL != "" {
			ev.PRURL = e.prURL
		}
		if e.tokens.Total > 0 {
			input := e.tokens.UncachedInput + e.tokens.CachedInput + e.tokens.CacheCreationInput
			ev.Tokens = &notify.Tokens{Input: input, Output: e.tokens.Output, Total: e.tokens.Total}
		}
	}
	return ev
}

// pullRequestURL finds a GitHub-style pull request link (https://host/owner/repo/pull/N) in
// an agent's message, which is how a run announces the PR it opened.
var pullRequestURL = regexp.MustCompile(`https://[A-Za-z0-9.-]+(?::[0-9]+)?/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/pull/[0-9]+`)

// notePullRequest records the first pull request a run opened, from the tracker's refreshed
// links or an agent message, audits it and notifies pr_opened once per run. Links the issue
// already had when the attempt started are not new.
func (o *Orchestrator) notePullRequest(e *runEntry, refreshed *issue.Issue, ev *agent.Event) {
	if e.prURL != "" || e.pr != nil {
		return
	}
	var found string
	if refreshed != nil {
		for _, u := range refreshed.PRURLs {
			if !slices.Contains(e.issue.PRURLs, u) {
				found = u
				break
			}
		}
	}
	if found == "" && ev != nil && strings.Contains(ev.Message, "/pull/") {
		if u := pullRequestURL.FindString(ev.Message); u != "" && !slices.Contains(e.issue.PRURLs, u) {
			found = u
		}
	}
	if found == "" {
		return
	}
	e.prURL = found
	o.auditRun(e.issue, e.runID, "pr_opened", map[string]any{"pr_url": found})
	o.notice("pr_opened", e.issue, e, "", nil)
}

// noteDailyBudget notifies budget_exceeded with scope "day" the first time a UTC day's usage
// reaches agent.limits.tokens_per_day.
func (o *Orchestrator) noteDailyBudget() {
	if o.s.TokensPerDay <= 0 || o.dailyTokens < o.s.TokensPerDay || o.dayBudgetNoticed == o.day {
		return
	}
	o.dayBudgetNoticed = o.day
	o.d.Notifier.Notify(notify.Event{Name: "budget_exceeded", Reason: "daily token budget reached (agent.limits.tokens_per_day)",
		Metadata: map[string]any{"scope": "day", "tokens_per_day": o.s.TokensPerDay, "tokens_today": o.dailyTokens}, Time: o.clock.Now()})
}
