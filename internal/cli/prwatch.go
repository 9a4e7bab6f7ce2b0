package cli

import (
	"context"
	"os"
	"sync"
	"time"

	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/notify"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/prwatch"
)

// prPollers builds the review and CI pollers of pull_requests.*; nil when they are off. Their
// events are counted, audited and, where an operator asked to hear of them, notified; merged
// pull requests are reflected on when pull_requests.learnings is on.
func prPollers(s *service, cfg *config.Config, notices notifier, count func(prwatch.Event), deps orchestrator.Deps) (*prwatch.Pollers, error) {
	pr := cfg.PullRequests
	if !pr.Enabled {
		return nil, nil
	}
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	interval := ms(cfg.Issues.PollIntervalMs)
	if pr.PollIntervalMs != nil {
		interval = ms(*pr.PollIntervalMs)
	}
	settings := prwatch.Settings{
		Interval: interval, ReviewState: pr.ReviewState, ReworkState: pr.ReworkState, MergeState: pr.MergeState,
		EscalateState:    pr.Checks.EscalateToState,
		ReworkDelay:      time.Duration(pr.ReviewComments.ReworkDelayMinutes) * time.Minute,
		StaleAfter:       time.Duration(pr.ReviewComments.StaleAfterDays) * 24 * time.Hour,
		IgnoredReviewers: pr.ReviewComments.IgnoredReviewers, ReplyAfter: pr.ReviewComments.ReplyAfterAddressing,
		RequestReview: pr.ReviewComments.RequestReviewAfterPush, ChecksEnabled: pr.Checks.Enabled,
		LogExcerptLines: pr.Checks.LogExcerptLines, RetryFailedOnce: pr.Checks.RetryFailedOnce, MaxFixAttempts: pr.Checks.MaxFixAttempts,
		BackoffMax: ms(cfg.Poller.MaxBackoffMs), DegradedAfter: cfg.Poller.DegradedThreshold,
	}
	workspacesOn := func(host string) (prwatch.Workspaces, error) { return deps.WorkspacesOn(host) }
	learn, err := prLearner(s, cfg)
	if err != nil {
		return nil, err
	}
	clients := &hostClients{enterprise: cfg.GitHub.EnterpriseHosts, byHost: map[string]*github.Client{}}
	return prwatch.New(prwatch.Deps{Settings: settings, Tracker: s.tracker, Store: s.store, GitHubFor: clients.forRepo,
		Clock: orchestrator.SystemClock{}, WorkspacesOn: workspacesOn, AfterStep: prwatchHold(os.Getenv, s.logger), Logger: s.logger,
		Events: countedEvents(count, pollerEvents(pollerAudit(s.audit, s.logger), notices)), Learn: learn})
}

// countedEvents hands each poller event to count, then to next.
func countedEvents(count, next func(prwatch.Event)) func(prwatch.Event) {
	return func(e prwatch.Event) {
		count(e)
		next(e)
	}
}

// hostClients keeps one GitHub client per host, built on first use from the environment.
type hostClients struct {
	enterprise []string
	mu         sync.Mutex
	byHost     map[string]*github.Client
}

func (h *hostClients) forRepo(repo github.Repo) (prwatch.GitHub, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.byHost[repo.Host]; ok {
		return c, nil
	}
	c, err := github.NewForHost(repo.Host, h.enterprise, os.Getenv, github.Options{ConditionalReads: true})
	if err != nil {
		return nil, err
	}
	h.byHost[repo.Host] = c
	return c, nil
}

// pollerAuditTimeout bounds one poller event's audit write.
const pollerAuditTimeout = 10 * time.Second

// pollerAudit records every poller event in the audit log, typed by what happened
// (rework_requested, ci_failed, poller_degraded, ...).
func pollerAudit(log *audit.Log, logger interface {
	Error(msg string, args ...any)
}) func(prwatch.Event) {
	return func(e prwatch.Event) {
		ctx, cancel := context.WithTimeout(context.Background(), pollerAuditTimeout)
		defer cancel()
		_, err := log.Append(ctx, audit.Event{IssueID: e.IssueID, IssueIdentifier: e.Identifier, RepoKey: e.RepoKey, Type: e.Kind,
			Details: map[string]any{"poller": e.Poller, "pr_url": e.PRURL, "detail": e.Detail}})
		if err != nil {
			logger.Error("recording a pull-request poller event in the audit log failed", "event", e.Kind, "error", err.Error())
		}
	}
}

// notifier receives operator notifications; *liveNotifications implements it.
type notifier interface{ Notify(notify.Event) }

// pollerNotices names the notification event of each poller event an operator can subscribe
// to; the rest are only audited.
var pollerNotices = map[string]string{
	"rework_requested": "reviewer_commented",
	"rework_pushed":    "rework_pushed",
	"ci_failed":        "ci_failed",
	"ci_escalated":     "ci_escalated",
}

// pollerEvents audits every poller event and notifies the ones in pollerNotices.
func pollerEvents(audit func(prwatch.Event), notices notifier) func(prwatch.Event) {
	return func(e prwatch.Event) {
		audit(e)
		if name, ok := pollerNotices[e.Kind]; ok && notices != nil {
			notices.Notify(notify.Event{Name: name, RepoKey: e.RepoKey, IssueID: e.IssueID, IssueIdentifier: e.Identifier,
				PRURL: e.PRURL, Reason: e.Detail})
		}
	}
}

// runContextSource hands runs the context the pollers sent their issue back with, when the
// pollers are on.
func runContextSource(cfg *config.Config, s *service) orchestrator.RunContextSource {
	if !cfg.PullRequests.Enabled {
		return nil
	}
	return prwatch.RunContextFrom(s.store)
}
