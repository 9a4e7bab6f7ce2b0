package prwatch

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/store"
)

// Pollers runs the review poller and, when checks are enabled, the CI poller.
type Pollers struct {
	d   Deps
	log *slog.Logger
	// learning is touched only by the review poller's goroutine.
	learning map[string]*learnTry
}

// New checks deps and returns pollers ready to Run.
func New(d Deps) (*Pollers, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Settings.BackoffMax <= 0 {
		d.Settings.BackoffMax = 5 * time.Minute
	}
	if d.Settings.DegradedAfter <= 0 {
		d.Settings.DegradedAfter = 3
	}
	if d.Settings.LogExcerptLines <= 0 {
		d.Settings.LogExcerptLines = 200
	}
	d.Settings.IgnoredReviewers = lowered(d.Settings.IgnoredReviewers)
	return &Pollers{d: d, log: d.Logger.With("component", "prwatch"), learning: map[string]*learnTry{}}, nil
}

// Run polls until ctx ends: one goroutine per poller, each cycling every Settings.Interval
// on the Clock. It returns once both goroutines have stopped.
func (p *Pollers) Run(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		p.every(ctx, p.reviewCycle)
		close(done)
	}()
	if p.d.Settings.ChecksEnabled {
		p.every(ctx, p.ciCycle)
	}
	<-done
}

// every runs cycle now and then each interval after the previous cycle ended, so a slow
// GitHub never stacks cycles up.
func (p *Pollers) every(ctx context.Context, cycle func(context.Context)) {
	due := make(chan struct{}, 1)
	for {
		cycle(ctx)
		t := p.d.Clock.AfterFunc(p.d.Settings.Interval, func() { due <- struct{}{} })
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-due:
		}
	}
}

// target is one issue in the review state with its pull request and latest run.
type target struct {
	iss   issue.Issue
	prURL string
	run   store.Run
}

// discover lists the issues in the review state that carry a pull request and a prior run.
func (p *Pollers) discover(ctx context.Context) ([]target, error) {
	issues, err := p.d.Tracker.FetchIssuesByStates(ctx, []string{p.d.Settings.ReviewState})
	if err != nil {
		return nil, fmt.Errorf("listing the issues in %q: %w", p.d.Settings.ReviewState, err)
	}
	var out []target
	for _, iss := range issues {
		if iss.RepoKey == "" {
			continue
		}
		runs, err := p.d.Store.Runs(ctx, store.RunFilter{RepoKey: iss.RepoKey, Issue: iss.ID, Limit: 50})
		if err != nil {
			return nil, err
		}
		if len(runs) == 0 {
			continue
		}
		t := target{iss: iss, run: runs[0], prURL: iss.PullRequestURL()}
		for _, r := range runs {
			if t.prURL == "" && r.PRURL != "" {
				t.prURL = r.PRURL
			}
		}
		if t.prURL != "" {
			out = append(out, t)
		}
	}
	return out, nil
}

func (p *Pollers) runActive(ctx context.Context, repoKey, issueID string) (bool, error) {
	runs, err := p.d.Store.Runs(ctx, store.RunFilter{RepoKey: repoKey, Issue: issueID, Status: store.StatusRunning, Limit: 1})
	return len(runs) > 0, err
}

func (p *Pollers) paused(ctx context.Context) (bool, error) {
	pause, err := p.d.Store.Pause(ctx)
	return pause.Paused, err
}

// client resolves the pull request URL to its repository, number and host's client.
func (p *Pollers) client(prURL string) (GitHub, github.Repo, int, error) {
	repo, n, err := parsePRURL(prURL)
	if err != nil {
		return nil, github.Repo{}, 0, err
	}
	gh, err := p.d.GitHubFor(repo)
	return gh, repo, n, err
}

// moveIssue puts the issue in state unless it is there already, so a transition replayed
// after a crash updates the tracker at most once.
func (p *Pollers) moveIssue(ctx context.Context, issueID, state string) error {
	now, err := p.d.Tracker.FetchIssueStatesByIDs(ctx, []string{issueID})
	if err != nil {
		return err
	}
	if len(now) == 1 && strings.EqualFold(now[0].State, state) {
		return nil
	}
	return p.d.Tracker.UpdateIssueState(ctx, issueID, state)
}

// backoff records a GitHub error: the PR is skipped for base·2^(n-1), capped, and reported
// degraded after DegradedAfter errors in a row.
func (p *Pollers) backoff(w *watch, poller string, err error) {
	w.ConsecutiveErrors++
	w.Error = err.Error()
	wait := p.d.Settings.Interval << min(w.ConsecutiveErrors-1, 16)
	w.NextPollAt = p.d.Clock.Now().Add(min(wait, p.d.Settings.BackoffMax))
	p.log.Warn("GitHub request failed; backing off", "poller", poller, "pr", w.PRURL, "errors", w.ConsecutiveErrors, "error", w.Error)
	if w.ConsecutiveErrors >= p.d.Settings.DegradedAfter && !w.Degraded {
		w.Degraded = true
		p.emit(poller, w, "poller_degraded", w.Error)
	}
}

// recovered clears the back-off after a successful request.
func (p *Pollers) recovered(w *watch, poller string) {
	if w.Degraded {
		p.emit(poller, w, "poller_recovered", "")
	}
	w.ConsecutiveErrors, w.NextPollAt, w.Degraded = 0, time.Time{}, false
	if w.Phase != phaseTransitionError {
		w.Error = ""
	}
}

// step reports a finished write-ahead step to Deps.AfterStep.
func (p *Pollers) step(ctx context.Context, name string) {
	if p.d.AfterStep != nil {
		p.d.AfterStep(ctx, name)
	}
}

func (p *Pollers) emit(poller string, w *watch, kind, detail string) {
	p.log.Info("pull request "+strings.ReplaceAll(kind, "_", " "), "poller", poller, "issue", w.Identifier, "pr", w.PRURL, "detail", detail)
	if p.d.Events != nil {
		p.d.Events(Event{Kind: kind, Poller: poller, RepoKey: w.RepoKey, IssueID: w.IssueID, Identifier: w.Identifier, PRURL: w.PRURL, Detail: detail})
	}
}

func (p *Pollers) save(ctx context.Context, poller string, w *watch, rec any) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return p.d.Store.PutPRWatch(ctx, store.PRWatch{RepoKey: w.RepoKey, IssueID: w.IssueID, Poller: poller, PRURL: w.PRURL, Phase: w.Phase,
		Record: data, WorkerHost: w.WorkerHost})
}

// loadRows decodes one poller's rows into records of type T, keyed by repo and issue.
func loadRows[T any](ctx context.Context, s Store, poller string) (map[string]*T, error) {
	rows, err := s.PRWatches(ctx, poller)
	if err != nil {
		return nil, err
	}
	out := map[string]*T{}
	for _, row := range rows {
		rec := new(T)
		if err := json.Unmarshal(row.Record, rec); err != nil {
			return nil, fmt.Errorf("pr_watch row %s/%s/%s: %w", row.RepoKey, row.IssueID, poller, err)
		}
		out[rowKey(row.RepoKey, row.IssueID)] = rec
	}
	return out, nil
}

func rowKey(repoKey, issueID string) string { return repoKey + "\x00" + issueID }

func lowered(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		out = append(out, strings.ToLower(strings.TrimSpace(s)))
	}
	return out
}
