package gate

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/secretscan"
)

// Outcome is what the gate decided for one issue.
type Outcome string

const (
	// Pass lets the issue be dispatched.
	Pass Outcome = "pass"
	// Clarify holds the issue while its author answers the posted questions.
	Clarify Outcome = "awaiting_clarification"
	// Skip holds the issue until its content or comments change.
	Skip Outcome = "skipped"
	// Deferred means the cycle's call cap was reached before this issue was scored; it is
	// neither dispatched nor commented on, and is scored on a later poll.
	Deferred Outcome = "deferred"
)

// Commenter posts a tracker comment; tracker.Tracker implements it.
type Commenter interface {
	CreateComment(ctx context.Context, issueID, body string) (issue.Comment, error)
}

// Deps are the gate's collaborators. Provider, Scanner and Now default when nil.
type Deps struct {
	Cache     Cache
	Commenter Commenter
	// Provider overrides the client NewProvider would build from the configuration.
	Provider        Provider
	ProviderOptions ProviderOptions
	Scanner         *secretscan.Scanner
	// Tracker is the tracker provider (issues.provider); it names the issue text's boundary tags.
	Tracker string
	Now     func() time.Time
	// MaxCallsPerCycle caps model calls per poll cycle; zero means DefaultMaxCallsPerCycle.
	MaxCallsPerCycle int
}

// DefaultMaxCallsPerCycle bounds the burst on a cold cache or a mass edit.
const DefaultMaxCallsPerCycle = 20

// Gate scores candidate issues. It is safe for concurrent use on different issues.
type Gate struct {
	cfg       config.IssueGate
	provider  Provider
	cache     Cache
	commenter Commenter
	scanner   *secretscan.Scanner
	tracker   string
	now       func() time.Time
	maxCalls  int
}

// New builds a Gate for cfg. It fails with a typed *Error when the provider is unknown, its
// key is missing, or on_error is neither pass nor skip.
func New(cfg config.IssueGate, deps Deps) (*Gate, error) {
	if cfg.OnError != "pass" && cfg.OnError != "skip" {
		return nil, errorf(CodeInvalidConfig, "issue_gate.on_error %q (want pass or skip)", cfg.OnError)
	}
	if cfg.PassThreshold < minScore || cfg.PassThreshold > maxScore {
		return nil, errorf(CodeInvalidConfig, "issue_gate.pass_threshold %d is outside %d..%d", cfg.PassThreshold, minScore, maxScore)
	}
	if deps.Cache == nil || deps.Commenter == nil {
		return nil, errorf(CodeInvalidConfig, "gate needs a cache and a commenter")
	}
	g := &Gate{cfg: cfg, provider: deps.Provider, cache: deps.Cache, commenter: deps.Commenter,
		scanner: deps.Scanner, tracker: deps.Tracker, now: deps.Now, maxCalls: deps.MaxCallsPerCycle}
	if g.provider == nil {
		p, err := NewProvider(cfg.Provider, cfg.Model, deps.ProviderOptions)
		if err != nil {
			return nil, err
		}
		g.provider = p
	}
	if g.scanner == nil {
		g.scanner = secretscan.New()
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.maxCalls <= 0 {
		g.maxCalls = DefaultMaxCallsPerCycle
	}
	return g, nil
}

// Decision is the gate's answer for one issue.
type Decision struct {
	Outcome   Outcome
	Score     int
	Reason    string
	Questions []string
	// RoundsAsked is how many clarification comments have been posted for the issue.
	RoundsAsked int
	// Cached is true when no model call was made because the entry was fresh.
	Cached bool
	// Usage is the tokens this decision's model call cost (zero when cached or deferred).
	Usage Usage
	// ProviderErr is the model failure on_error turned into this decision, if any.
	ProviderErr *Error
}

// Cycle is one poll cycle's view of the gate, carrying its call budget. Create one per poll
// with Gate.Cycle; its Evaluate may be called concurrently for different issues.
type Cycle struct {
	gate  *Gate
	calls atomic.Int64
}

// Cycle starts a poll cycle with a fresh call budget.
func (g *Gate) Cycle() *Cycle { return &Cycle{gate: g} }

// Calls reports how many model calls the cycle made (or tried).
func (c *Cycle) Calls() int { return int(c.calls.Load()) }

func (c *Cycle) take() bool {
	if c.calls.Add(1) > int64(c.gate.maxCalls) {
		c.calls.Add(-1)
		return false
	}
	return true
}

// Evaluate decides whether is may be dispatched. A returned error comes from the cache or the
// tracker (the decision is still valid and, for a failed comment, retried next poll); model
// failures are resolved by on_error and reported in Decision.ProviderErr.
func (c *Cycle) Evaluate(ctx context.Context, is issue.Issue) (Decision, error) {
	g := c.gate
	fp := FingerprintOf(is)
	prev, had, err := g.cache.Load(ctx, is.ID)
	if err != nil {
		return Decision{}, fmt.Errorf("issue gate: load cache for %s: %w", is.Identifier, err)
	}
	if had && prev.Fresh(fp) {
		if prev.PendingComment != "" {
			prev, err = g.postAndSave(ctx, is, prev)
		}
		d := prev.decision()
		d.Cached = true
		return d, err
	}
	if !c.take() {
		return Decision{Outcome: Deferred}, nil
	}
	next := Entry{UpdatedAt: fp.UpdatedAt, Signature: fp.Signature, Content: fp.Content}
	if had {
		next.RoundsAsked, next.PostedKeys, next.PostedAt = prev.RoundsAsked, prev.PostedKeys, prev.PostedAt
	}
	reply, err := g.provider.Score(ctx, SystemPrompt, UserPrompt(is, g.scanner, prompt.IssueFieldsFor(g.tracker)))
	var verdict Verdict
	if err == nil {
		verdict, err = ParseVerdict(reply.Text)
	}
	if err != nil && ctx.Err() != nil {
		// Shutdown or a cancelled cycle is not a provider failure: nothing is decided,
		// commented or cached, and the issue is scored on a later poll.
		return Decision{Outcome: Deferred}, fmt.Errorf("issue gate: score %s: %w", is.Identifier, ctx.Err())
	}
	if err != nil {
		return g.providerFailed(ctx, is, fp, next, reply.Usage, err)
	}
	g.decide(&next, verdict, fp)
	next, err = g.postAndSave(ctx, is, next)
	d := next.decision()
	d.Usage = reply.Usage
	return d, err
}

// decide applies the thresholds to a fresh verdict and queues the comment it calls for.
func (g *Gate) decide(e *Entry, v Verdict, fp Fingerprint) {
	e.Score, e.Reason = v.Score, g.scanner.Redact(v.Reason)
	e.Questions = nil
	for _, q := range v.Questions {
		e.Questions = append(e.Questions, g.scanner.Redact(q))
	}
	threshold, floor := g.cfg.PassThreshold, g.cfg.ClarificationFloor
	switch {
	case v.Score >= threshold:
		e.Outcome = Pass
	case floor != nil && v.Score >= *floor && e.RoundsAsked < g.cfg.MaxClarificationRounds:
		e.Outcome = Clarify
		round := e.RoundsAsked + 1
		e.PendingKey = "clarify:" + strconv.Itoa(round)
		e.PendingComment = ClarificationComment(v.Score, threshold, round, g.cfg.MaxClarificationRounds, e.Reason, e.Questions)
	default:
		e.Outcome = Skip
		e.PendingKey = "skip:" + fp.Content + ":" + fp.Signature
		e.PendingComment = SkipComment(v.Score, threshold, e.RoundsAsked, e.Reason)
	}
}

// providerFailed applies on_error: pass drops the cache entry so the next poll scores again;
// skip records an entry that is never fresh and comments once per issue content.
func (g *Gate) providerFailed(ctx context.Context, is issue.Issue, fp Fingerprint, next Entry, usage Usage, err error) (Decision, error) {
	var gerr *Error
	if !errors.As(err, &gerr) {
		gerr = &Error{Code: CodeProviderRequestFailed, Err: err}
	}
	if g.cfg.OnError == "pass" {
		d := Decision{Outcome: Pass, Usage: usage, ProviderErr: gerr}
		if derr := g.cache.Delete(ctx, is.ID); derr != nil {
			return d, fmt.Errorf("issue gate: drop cache for %s: %w", is.Identifier, derr)
		}
		return d, nil
	}
	next.Outcome, next.Errored = Skip, true
	next.Reason = "LLM call failed: " + gerr.Code
	next.PendingKey = "error:" + fp.Content + ":" + fp.Signature
	next.PendingComment = ErrorSkipComment(g.cfg.PassThreshold)
	next, perr := g.postAndSave(ctx, is, next)
	d := next.decision()
	d.Usage, d.ProviderErr = usage, gerr
	return d, perr
}

// postAndSave posts e's pending comment unless that decision was already commented on, then
// saves and returns e. A failed post leaves the comment pending for the next poll.
func (g *Gate) postAndSave(ctx context.Context, is issue.Issue, e Entry) (Entry, error) {
	var postErr error
	if e.PendingComment != "" {
		if e.posted(e.PendingKey) {
			e.PendingComment, e.PendingKey = "", ""
		} else if _, err := g.commenter.CreateComment(ctx, is.ID, e.PendingComment); err != nil {
			postErr = fmt.Errorf("issue gate: comment on %s: %w", is.Identifier, err)
		} else {
			now := g.now()
			e.PostedAt = &now
			e.PostedKeys = append(e.PostedKeys, e.PendingKey)
			if e.Outcome == Clarify {
				e.RoundsAsked++
			}
			e.PendingComment, e.PendingKey = "", ""
		}
	}
	if err := g.cache.Save(ctx, is.ID, e); err != nil {
		return e, errors.Join(postErr, fmt.Errorf("issue gate: save cache for %s: %w", is.Identifier, err))
	}
	return e, postErr
}

func (e Entry) decision() Decision {
	return Decision{Outcome: e.Outcome, Score: e.Score, Reason: e.Reason,
		Questions: append([]string(nil), e.Questions...), RoundsAsked: e.RoundsAsked}
}
