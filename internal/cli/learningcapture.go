package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/gate"
	"github.com/symphony-go/symphony/internal/learnings"
	"github.com/symphony-go/symphony/internal/prwatch"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/tracker"
)

// learnTimeout bounds one reflection: the tracker reads and the provider call.
const learnTimeout = 2 * time.Minute

// prLearner is the review poller's Learn hook for pull_requests.learnings, or nil when
// learnings are off. It gathers what the reflection reads that the poller does not have (the
// issue with its comments, the run that opened the pull request) and reports what it did.
func prLearner(s *service, cfg *config.Config) (func(context.Context, prwatch.Merged) (string, error), error) {
	capturer, err := learnings.FromConfig(cfg.PullRequests.Learnings, s.store, s.redactor, gate.ProviderOptions{})
	if err != nil || capturer == nil {
		return nil, err
	}
	return func(ctx context.Context, m prwatch.Merged) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, learnTimeout)
		defer cancel()
		d, err := mergedDiscussion(ctx, s.tracker, s.store, m)
		if err != nil {
			return "", err
		}
		out, err := capturer.OnMerged(ctx, d)
		switch {
		case err != nil:
			return "", err
		case out.AlreadyCaptured:
			return "", nil
		case out.Discarded != "":
			return "the model's reply was discarded: " + out.Discarded, nil
		}
		return fmt.Sprintf("%d rules stored", len(out.Stored)), nil
	}, nil
}

// mergedDiscussion is everything the reflection reads about a merged pull request. An issue
// the tracker no longer knows leaves the pull request's own discussion, which is most of it.
func mergedDiscussion(ctx context.Context, tr tracker.Tracker, st *store.Store, m prwatch.Merged) (learnings.Discussion, error) {
	d := learnings.Discussion{RepoKey: m.RepoKey, Reviews: m.Discussion,
		PR: learnings.PullRequest{Number: m.PR.Number, URL: m.PRURL, Title: m.PR.Title, Body: m.PR.Body}}
	d.Issue.ID, d.Issue.Identifier = m.IssueID, m.Identifier
	iss, err := tr.FetchIssueByIdentifier(ctx, m.Identifier)
	switch {
	case err == nil:
		d.Issue = iss
		if d.Issue.Comments, err = tr.ListComments(ctx, iss.ID); err != nil {
			return d, fmt.Errorf("reading the comments of %s: %w", m.Identifier, err)
		}
	case tracker.CodeOf(err) != tracker.CodeIssueNotFound:
		return d, fmt.Errorf("reading %s from the tracker: %w", m.Identifier, err)
	}
	runs, err := st.Runs(ctx, store.RunFilter{RepoKey: m.RepoKey, Issue: m.IssueID})
	if err != nil {
		return d, err
	}
	for _, r := range runs {
		if r.PRURL == m.PRURL {
			d.RunID = r.ID
			break
		}
	}
	return d, nil
}
