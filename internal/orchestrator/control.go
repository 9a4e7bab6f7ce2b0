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

// ErrNotRunning is returned by control calls made before Run started or after it returned.
var ErrNotRunning = errors.New("orchestrator is not running")

type controlOp string

const (
	opPause   controlOp = "pause"
	opResume  controlOp = "resume"
	opStop    controlOp = "stop"
	opRefresh controlOp = "refresh"
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
			err = errors.New("resume: dispatch is not paused")
			break
		}
		o.setPause(store.Pause{})
	case opStop:
		err = o.stopIssue(m.arg)
	case opRefresh:
		if o.polling {
			o.refreshWant = true
		} else {
			o.startPoll(nil, true)
		}
	}
	if err == nil {
		o.auditOperator(m.op, m.arg)
	}
	m.reply <- err
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
	return fmt.Errorf("stop: issue %q is neither running, waiting for a retry nor waiting for a slot", key)
}

func (o *Orchestrator) auditOperator(op controlOp, arg string) {
	details := map[string]any{"action": string(op)}
	if arg != "" {
		details["argument"] = arg
	}
	o.rec.appendAudit(audit.Event{Time: o.clock.Now(), Type: audit.EventOperatorAction, Details: details})
}
