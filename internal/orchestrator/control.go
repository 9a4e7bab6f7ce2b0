package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/store"
)

// Errors control calls return, so callers (the API, the CLI) can tell them apart.
var (
	// ErrNotRunning is returned by control calls made before Run started or after it returned.
	ErrNotRunning = errors.New("orchestrator is not running")
	// ErrNotPaused is returned by Resume when dispatch is not paused.
	ErrNotPaused = errors.New("dispatch is not paused")
	// ErrIssueNotActive is returned by StopIssue for an issue that is neither running,
	// waiting for a retry nor waiting for a slot.
	ErrIssueNotActive = errors.New("issue is neither running, waiting for a retry nor waiting for a slot")
	// ErrIssueNotHeld is returned by Unstop for an issue that is not held.
	ErrIssueNotHeld = errors.New("issue is not held")
	// ErrIssueStopping is returned by Unstop while the stopped session is still ending.
	ErrIssueStopping = errors.New("issue is still stopping; try again once its session has ended")
)

type controlOp string

const (
	opPause   controlOp = "pause"
	opResume  controlOp = "resume"
	opStop    controlOp = "stop"
	opRefresh controlOp = "refresh"
	opUnstop  controlOp = "unstop"
)

// Pause holds new dispatch until Resume, across restarts; running agents continue.
func (o *Orchestrator) Pause(reason string) error {
	if strings.TrimSpace(reason) == "" {
		return errors.New("pause: a reason is required")
	}
	return o.control(opPause, reason)
}

// Resume lifts an operator pause.
func (o *Orchestrator) Resume() error { return o.control(opResume, "") }

// StopIssue ends the attempt (or pending retry) of the issue with the given id or identifier,
// records it as stopped and holds the issue from dispatch until it leaves its active states.
// The tracker state is left alone.
func (o *Orchestrator) StopIssue(idOrIdentifier string) error {
	if strings.TrimSpace(idOrIdentifier) == "" {
		return errors.New("stop: an issue id or identifier is required")
	}
	return o.control(opStop, idOrIdentifier)
}

// Unstop releases an issue held from dispatch (stopped by the operator, out of budget or
// waiting for a human), given its id or identifier; it is dispatched again while it stays in
// an active state and a slot is free.
func (o *Orchestrator) Unstop(idOrIdentifier string) error {
	if strings.TrimSpace(idOrIdentifier) == "" {
		return errors.New("unstop: an issue id or identifier is required")
	}
	return o.control(opUnstop, idOrIdentifier)
}

// RefreshNow starts a poll and reconciliation right away (or right after the one in flight).
func (o *Orchestrator) RefreshNow() error { return o.control(opRefresh, "") }

func (o *Orchestrator) control(op controlOp, arg string) error {
	return o.request(func(reply chan error) loopMessage { return msgControl{op: op, arg: arg, reply: reply} }, string(op))
}

// request sends a message built around a reply channel to the loop and waits for the answer,
// bounded by the control timeout (which the caller cannot change while it waits).
func (o *Orchestrator) request(build func(reply chan error) loopMessage, what string) error {
	if !o.started.Load() {
		return ErrNotRunning
	}
	reply := make(chan error, 1)
	timeout := time.NewTimer(o.controlTimeout)
	defer timeout.Stop()
	select {
	case o.inbox <- build(reply):
	case <-o.done:
		return ErrNotRunning
	case <-timeout.C:
		return fmt.Errorf("%s: the orchestrator did not accept the request within %s", what, o.controlTimeout)
	}
	select {
	case err := <-reply:
		return err
	case <-o.done:
		return ErrNotRunning
	case <-timeout.C:
		return fmt.Errorf("%s: the orchestrator did not answer within %s", what, o.controlTimeout)
	}
}

func errShuttingDown(what string) error {
	return fmt.Errorf("%s: the orchestrator is shutting down", what)
}

func (o *Orchestrator) onControl(m msgControl) {
	if o.stopping {
		m.reply <- errShuttingDown(string(m.op))
		return
	}
	var err error
	switch m.op {
	case opPause:
		o.setPause(store.Pause{Paused: true, Reason: m.arg, Actor: "operator", Since: o.clock.Now()})
	case opResume:
		if !o.pause.Paused {
			err = fmt.Errorf("resume: %w", ErrNotPaused)
			break
		}
		o.setPause(store.Pause{})
	case opStop:
		err = o.stopIssue(m.arg)
	case opUnstop:
		// The released issue was left out of the candidates while held; a poll brings it back.
		if err = o.unstopIssue(m.arg); err == nil {
			o.refresh()
		}
	case opRefresh:
		o.refresh()
	}
	if err == nil {
		o.auditOperator(m.op, m.arg)
	}
	m.reply <- err
}

// refresh polls now, or right after the poll in flight.
func (o *Orchestrator) refresh() {
	if o.polling {
		o.refreshWant = true
	} else {
		o.startPoll(nil, true)
	}
}

func (o *Orchestrator) setPause(p store.Pause) {
	o.pause = p
	o.log.Info("operator pause changed", "paused", p.Paused, "reason", p.Reason)
	o.rec.post("set pause", func(ctx context.Context) error { return o.d.Store.SetPause(ctx, p) })
}

func (o *Orchestrator) stopIssue(key string) error {
	for _, e := range o.running {
		if e.issue.ID == key || e.issue.Identifier == key {
			o.stop(e, StopOperator, "operator request")
			return nil
		}
	}
	for _, r := range o.retries {
		if r.issueID == key || r.identifier == key {
			o.release(r.issueID, r.repoKey)
			o.hold(r.issueID, r.identifier, r.repoKey, "stopped by operator")
			return nil
		}
	}
	// An issue waiting for a slot is held before it ever starts; a queued retry or
	// continuation also loses its claim.
	for _, w := range o.waiting {
		if w.IssueID == key || w.Identifier == key {
			o.release(w.IssueID, w.RepoKey)
			o.hold(w.IssueID, w.Identifier, w.RepoKey, "stopped by operator")
			return nil
		}
	}
	return fmt.Errorf("stop: issue %q: %w", key, ErrIssueNotActive)
}

func (o *Orchestrator) unstopIssue(key string) error {
	for id, a := range o.awaiting {
		if id == key || a.row.Identifier == key {
			o.stopAwaiting(id)
			o.log.Info("operator released an issue waiting for human input", "issue_id", id, "issue_identifier", a.row.Identifier, "repo_key", a.row.RepoKey)
			return nil
		}
	}
	for id, h := range o.held {
		if id == key || h.Identifier == key {
			o.unhold(id)
			o.log.Info("operator released a held issue", "issue_id", id, "issue_identifier", h.Identifier, "repo_key", h.RepoKey, "held_for", h.Reason)
			return nil
		}
	}
	for _, e := range o.running {
		if (e.issue.ID == key || e.issue.Identifier == key) && e.stopReason == StopOperator {
			return fmt.Errorf("unstop: issue %q: %w", key, ErrIssueStopping)
		}
	}
	return fmt.Errorf("unstop: issue %q: %w", key, ErrIssueNotHeld)
}

func (o *Orchestrator) auditOperator(op controlOp, arg string) {
	details := map[string]any{"action": string(op)}
	if arg != "" {
		details["argument"] = arg
	}
	o.rec.appendAudit(audit.Event{Time: o.clock.Now(), Type: audit.EventOperatorAction, Details: details})
}
