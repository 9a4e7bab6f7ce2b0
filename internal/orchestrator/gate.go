package orchestrator

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/symphony-go/symphony/internal/gate"
	"github.com/symphony-go/symphony/internal/issue"
)

// gateParallel bounds how many candidates one gate round scores at once: enough to finish a
// backlog within a poll interval, few enough not to trip a provider's rate limit.
const gateParallel = 4

// gateCallTimeout bounds one candidate's gate work beyond its tracker calls: the model call
// (the provider's own 30 s timeout) and posting the decision's comment.
const gateCallTimeout = 2 * time.Minute

// GateObserver is told what each gate round cost; an Observer that also implements it (the
// metrics do) receives it. The loop calls it inline, so it must return at once.
type GateObserver interface {
	OnGate(GateRound)
}

// GateRound is one gate round's spend and outcome counts.
type GateRound struct {
	// Calls is the model calls made (cache hits make none); Deferred the candidates left for a
	// later poll because the per-cycle call cap was reached.
	Calls    int
	Deferred int
	// Failed counts model calls that failed and were resolved by on_error.
	Failed int
	Usage  gate.Usage
}

// GateRow is a candidate the issue gate holds: awaiting its author's clarification, or
// skipped until its content or comments change.
type GateRow struct {
	IssueID    string
	Identifier string
	RepoKey    string
	Title      string
	URL        string
	// Kind is GateScored, or GateError for a skip issue_gate.on_error: skip made after a
	// failed model call (then Error says why).
	Kind        string
	Error       string
	Score       int
	Reason      string
	Questions   []string
	RoundsAsked int
	DecidedAt   time.Time
}

// Kinds of GateRow.
const (
	GateScored = "scored"
	GateError  = "error"
)

// gateState is the loop's view of the issue gate.
type gateState struct {
	// decisions are the latest decisions for current candidates, by issue id.
	decisions map[string]gateDecision
	running   bool
	// want asks for another round once the running one reports: a poll came in meanwhile.
	want bool
	// ctx ends gate rounds at shutdown, so no comment is posted after the service stopped.
	ctx    context.Context
	cancel context.CancelFunc
	// awaiting and skipped are the snapshot rows, rebuilt when a round reports.
	awaiting, skipped []GateRow
}

type gateDecision struct {
	row     GateRow
	outcome gate.Outcome
}

// gateResult is one candidate's answer from a gate round.
type gateResult struct {
	issue    issue.Issue
	decision gate.Decision
	err      error
}

func (o *Orchestrator) initGate() {
	o.gate.decisions = map[string]gateDecision{}
	o.gate.ctx, o.gate.cancel = context.WithCancel(context.Background())
}

// gated reports whether the gate keeps a first dispatch of is from happening. Retries and
// continuations are never gated: the issue passed before its first attempt.
func (o *Orchestrator) gated(is issue.Issue) bool {
	if o.d.Gate == nil {
		return false
	}
	return o.gate.decisions[is.ID].outcome != gate.Pass
}

// startGate scores, off the loop, the candidates that could be dispatched. Nothing is scored
// while dispatch is held (pause, budget, disk, preflight), so a paused service spends nothing.
func (o *Orchestrator) startGate() {
	if o.d.Gate == nil || o.stopping {
		return
	}
	if o.gate.running {
		o.gate.want = true
		return
	}
	if len(o.blockers()) > 0 {
		return
	}
	var list []issue.Issue
	for _, is := range o.candidates {
		if o.claimed[is.ID] || o.running[is.ID] != nil {
			continue
		}
		if ok, _ := o.eligible(is); ok {
			list = append(list, is)
		}
	}
	o.pruneGate()
	if len(list) == 0 {
		return
	}
	o.gate.running = true
	go o.runGate(o.gate.ctx, o.d.Gate.Cycle(), list, o.s.TrackerTimeout)
}

// runGate reads each candidate's comments (the gate's freshness signature and prompt need
// them) and evaluates it, then reports the round to the loop.
func (o *Orchestrator) runGate(ctx context.Context, cycle *gate.Cycle, list []issue.Issue, trackerTimeout time.Duration) {
	results := make([]gateResult, len(list))
	sem := make(chan struct{}, gateParallel)
	var wg sync.WaitGroup
	for i, is := range list {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i] = o.gateOne(ctx, cycle, is, trackerTimeout)
		}()
	}
	wg.Wait()
	o.send(msgGate{results: results, calls: cycle.Calls()})
}

func (o *Orchestrator) gateOne(ctx context.Context, cycle *gate.Cycle, is issue.Issue, trackerTimeout time.Duration) gateResult {
	listCtx, cancel := context.WithTimeout(ctx, trackerTimeout)
	comments, err := o.d.Tracker.ListComments(listCtx, is.ID)
	cancel()
	if err != nil {
		return gateResult{issue: is, decision: gate.Decision{Outcome: gate.Deferred}, err: err}
	}
	is.Comments = comments
	evalCtx, cancel := context.WithTimeout(ctx, gateCallTimeout+trackerTimeout)
	defer cancel()
	d, err := cycle.Evaluate(evalCtx, is)
	return gateResult{issue: is, decision: d, err: err}
}

// onGate records a round's decisions; a deferred candidate keeps its previous decision.
func (o *Orchestrator) onGate(m msgGate) {
	o.gate.running = false
	round := GateRound{Calls: m.calls}
	now := o.clock.Now()
	for _, r := range m.results {
		d := r.decision
		if r.err != nil {
			o.log.Warn("issue gate failed for a candidate", "issue_id", r.issue.ID, "issue_identifier", r.issue.Identifier,
				"repo_key", r.issue.RepoKey, "error", r.err.Error())
		}
		if d.ProviderErr != nil {
			round.Failed++
			o.log.Warn("issue gate model call failed; issue_gate.on_error decided", "issue_identifier", r.issue.Identifier,
				"outcome", string(d.Outcome), "code", d.ProviderErr.Code, "error", d.ProviderErr.Error())
		}
		round.Usage.InputTokens += d.Usage.InputTokens
		round.Usage.OutputTokens += d.Usage.OutputTokens
		if d.Outcome == gate.Deferred || d.Outcome == "" {
			if r.err == nil {
				round.Deferred++
			}
			continue
		}
		if prev, ok := o.gate.decisions[r.issue.ID]; !ok || prev.outcome != d.Outcome || !d.Cached {
			o.log.Info("issue gate decided", "issue_id", r.issue.ID, "issue_identifier", r.issue.Identifier, "repo_key", r.issue.RepoKey,
				"outcome", string(d.Outcome), "score", d.Score, "cached", d.Cached, "reason", d.Reason)
		}
		row := GateRow{IssueID: r.issue.ID, Identifier: r.issue.Identifier, RepoKey: r.issue.RepoKey, Title: r.issue.Title, URL: r.issue.URL,
			Kind: GateScored, Score: d.Score, Reason: d.Reason, Questions: d.Questions, RoundsAsked: d.RoundsAsked, DecidedAt: now}
		if d.ProviderErr != nil && d.Outcome == gate.Skip {
			row.Kind, row.Error = GateError, d.ProviderErr.Error()
		}
		o.gate.decisions[r.issue.ID] = gateDecision{outcome: d.Outcome, row: row}
	}
	if obs, ok := o.d.Observer.(GateObserver); ok {
		obs.OnGate(round)
	}
	o.pruneGate()
	if o.gate.want {
		o.gate.want = false
		o.startGate()
	}
}

// pruneGate forgets decisions about issues that are no longer candidates or already claimed,
// and rebuilds the snapshot rows.
func (o *Orchestrator) pruneGate() {
	present := make(map[string]bool, len(o.candidates))
	for _, is := range o.candidates {
		present[is.ID] = true
	}
	o.gate.awaiting, o.gate.skipped = nil, nil
	for id, d := range o.gate.decisions {
		if !present[id] {
			delete(o.gate.decisions, id)
			continue
		}
		switch d.outcome {
		case gate.Clarify:
			o.gate.awaiting = append(o.gate.awaiting, d.row)
		case gate.Skip:
			o.gate.skipped = append(o.gate.skipped, d.row)
		}
	}
	byIdentifier := func(a, b GateRow) int { return cmp.Compare(a.Identifier, b.Identifier) }
	slices.SortFunc(o.gate.awaiting, byIdentifier)
	slices.SortFunc(o.gate.skipped, byIdentifier)
}
