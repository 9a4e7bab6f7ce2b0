package prwatch

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/symphony-go/symphony/internal/github"
)

// Merged is a merged pull request the review poller hands to Deps.Learn.
type Merged struct {
	RepoKey    string
	IssueID    string
	Identifier string
	PRURL      string
	PR         github.PullRequest
	// Discussion is the pull request's review bodies and comments, oldest first, each
	// prefixed with its author.
	Discussion []string
}

// Learning back-off: a failed reflection (the provider is down, GitHub errors) is tried again
// after Interval doubled per failure, capped, and given up after maxLearnAttempts, because the
// merge is seen only once and nothing else would bring it back.
const (
	maxLearnAttempts = 6
	maxLearnBackoff  = time.Hour
)

// Events of the reflection on a merged pull request.
const (
	learningsCaptured = "learnings_captured"
	learningsFailed   = "learnings_failed"
)

// learnTry is the review poller's memory of one merged pull request's reflection.
type learnTry struct {
	done     bool
	failures int
	next     time.Time
}

// learnFromMerged offers every merged pull request of rows to Deps.Learn until it has been
// reflected on once. Learn itself knows what was captured before (across restarts); this
// memory only keeps a finished one from being asked again in this process.
func (p *Pollers) learnFromMerged(ctx context.Context, rows map[string]*reviewRecord) {
	if p.d.Learn == nil {
		return
	}
	now := p.d.Clock.Now()
	for _, rec := range sortedRecords(rows) {
		if ctx.Err() != nil {
			return
		}
		if rec.Phase != donePhase("merged") || rec.PRURL == "" {
			continue
		}
		try := p.learning[rec.PRURL]
		if try == nil {
			try = &learnTry{}
			p.learning[rec.PRURL] = try
		}
		if try.done || now.Before(try.next) {
			continue
		}
		detail, err := p.learnOne(ctx, rec)
		if err == nil {
			try.done = true
			if detail != "" {
				p.emit(pollerReview, &rec.watch, learningsCaptured, detail)
			}
			continue
		}
		try.failures++
		if try.failures >= maxLearnAttempts {
			try.done = true
			p.emit(pollerReview, &rec.watch, learningsFailed, fmt.Sprintf("gave up after %d attempts: %v", try.failures, err))
			continue
		}
		try.next = now.Add(min(p.d.Settings.Interval<<try.failures, maxLearnBackoff))
		p.log.Warn("review poller: reflecting on a merged pull request failed; trying again later", "issue", rec.Identifier,
			"pr", rec.PRURL, "attempt", try.failures, "retry_at", try.next, "error", err.Error())
	}
}

// learnOne reads the merged pull request's discussion and hands it to Deps.Learn.
func (p *Pollers) learnOne(ctx context.Context, rec *reviewRecord) (string, error) {
	gh, repo, n, err := p.client(rec.PRURL)
	if err != nil {
		return "", err
	}
	v, err := fetchReview(ctx, gh, repo, n)
	if err != nil {
		return "", err
	}
	return p.d.Learn(ctx, Merged{RepoKey: rec.RepoKey, IssueID: rec.IssueID, Identifier: rec.Identifier, PRURL: rec.PRURL,
		PR: v.PR, Discussion: discussion(v)})
}

// discussion is the pull request's reviews and comments in the order they were written.
func discussion(v reviewView) []string {
	type entry struct {
		at   time.Time
		text string
	}
	var all []entry
	for _, r := range v.Reviews {
		if r.Body != "" {
			all = append(all, entry{r.SubmittedAt, fmt.Sprintf("%s (review, %s): %s", r.Author, r.State, r.Body)})
		}
	}
	for _, c := range v.Comments {
		where := ""
		if c.Path != "" {
			where = fmt.Sprintf(" on %s:%d", c.Path, c.Line)
		}
		all = append(all, entry{c.CreatedAt, fmt.Sprintf("%s%s: %s", c.Author, where, c.Body)})
	}
	slices.SortStableFunc(all, func(a, b entry) int { return a.at.Compare(b.at) })
	out := make([]string, len(all))
	for i, e := range all {
		out[i] = e.text
	}
	return out
}

// sortedRecords gives the records in a stable order, so tests and logs are deterministic.
func sortedRecords(rows map[string]*reviewRecord) []*reviewRecord {
	out := make([]*reviewRecord, 0, len(rows))
	for _, r := range rows {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *reviewRecord) int {
		return cmp.Or(cmp.Compare(a.RepoKey, b.RepoKey), cmp.Compare(a.IssueID, b.IssueID))
	})
	return out
}
