package learnings

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/gate"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
)

// Store is the durable part; *store.Store implements it.
type Store interface {
	LearningCaptured(ctx context.Context, repoKey, prURL string) (bool, error)
	RecordLearnings(ctx context.Context, repoKey, prURL, outcome string, ls []store.Learning, maxTotal int) (bool, error)
}

var _ Store = (*store.Store)(nil)

// PullRequest is the merged pull request a discussion belongs to.
type PullRequest struct {
	Number int
	URL    string
	Title  string
	Body   string
}

// Discussion is everything the reflection reads about one merged pull request.
type Discussion struct {
	RepoKey string
	// Issue is the tracker issue the pull request worked, with its comments.
	Issue issue.Issue
	PR    PullRequest
	// Reviews are the pull request's comments and review bodies, oldest first.
	Reviews []string
	// Transcript are the last events of the run that opened the pull request; only the last
	// maxTranscriptEvents are read.
	Transcript []string
	RunID      string
}

// Options configure a Capturer from pull_requests.learnings.
type Options struct {
	Provider gate.Provider
	Store    Store
	// MaxPerRun (0..3) is how many rules one merged pull request may add; MaxTotal caps a
	// repository's stored rules, dropping the oldest.
	MaxPerRun int
	MaxTotal  int
	// Scanner scrubs secrets from everything sent to the provider and stored.
	Scanner *secretscan.Scanner
	// Now defaults to time.Now.
	Now func() time.Time
}

// Capturer reflects on merged pull requests. It is safe for concurrent use.
type Capturer struct{ opts Options }

// NewCapturer checks opts and returns a Capturer.
func NewCapturer(opts Options) (*Capturer, error) {
	if opts.Provider == nil || opts.Store == nil || opts.Scanner == nil {
		return nil, errors.New("learnings: Options.Provider, Store and Scanner are required")
	}
	if opts.MaxPerRun < 0 || opts.MaxPerRun > 3 {
		return nil, fmt.Errorf("learnings: pull_requests.learnings.max_per_run must be between 0 and 3, got %d", opts.MaxPerRun)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Capturer{opts: opts}, nil
}

// Outcome is what one OnMerged call did.
type Outcome struct {
	// AlreadyCaptured is set when the pull request was reflected on before; nothing was sent.
	AlreadyCaptured bool
	Stored          []store.Learning
	// Discarded explains why the model's reply was thrown away.
	Discarded string
	Usage     gate.Usage
}

// OnMerged reflects once on the merged pull request of d: one provider call, the reply
// validated, at most MaxPerRun rules stored. A provider failure returns an error and records
// nothing, so the caller may try again on its next poll; an invalid reply is recorded as a
// discarded capture and never retried.
func (c *Capturer) OnMerged(ctx context.Context, d Discussion) (Outcome, error) {
	if d.RepoKey == "" || d.PR.URL == "" {
		return Outcome{}, fmt.Errorf("learnings: a merged pull request needs its repository key and URL (got %q, %q)", d.RepoKey, d.PR.URL)
	}
	done, err := c.opts.Store.LearningCaptured(ctx, d.RepoKey, d.PR.URL)
	if err != nil || done {
		return Outcome{AlreadyCaptured: done}, err
	}
	var out Outcome
	var picked []Candidate
	if c.opts.MaxPerRun > 0 {
		reply, err := c.opts.Provider.Score(ctx, systemPrompt, userPrompt(d, c.opts.Scanner))
		if err != nil {
			return Outcome{}, fmt.Errorf("learnings: reflecting on %s: %w", d.PR.URL, err)
		}
		out.Usage = reply.Usage
		picked, err = parseReply(reply.Text)
		if err != nil {
			out.Discarded = err.Error()
		}
	}
	picked = picked[:min(len(picked), c.opts.MaxPerRun)]
	now := c.opts.Now()
	for _, p := range picked {
		out.Stored = append(out.Stored, store.Learning{ID: newID(), RepoKey: d.RepoKey, Rule: strings.TrimSpace(p.Rule), Tags: p.Tags,
			EvidenceQuote: strings.TrimSpace(p.EvidenceQuote), IssueIdentifier: d.Issue.Identifier, IssueURL: d.Issue.URL,
			PRNumber: d.PR.Number, PRURL: d.PR.URL, RunID: d.RunID, CreatedAt: now})
	}
	outcome := store.CaptureStored
	if out.Discarded != "" {
		outcome = store.CaptureDiscarded
	}
	stored, err := c.opts.Store.RecordLearnings(ctx, d.RepoKey, d.PR.URL, outcome, out.Stored, c.opts.MaxTotal)
	if err != nil {
		return Outcome{}, err
	}
	if !stored {
		// Another caller captured the same pull request between our check and our write.
		return Outcome{AlreadyCaptured: true, Usage: out.Usage}, nil
	}
	return out, nil
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "lrn_" + hex.EncodeToString(b[:])
}
