package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/sshworker"
)

// hostHealthPolicy takes a host out of service at its first failed connection: the failure
// already cost an attempt its start, and the probe brings the host back as soon as it answers.
var hostHealthPolicy = sshworker.HealthPolicy{FailuresBeforeDown: 1, FirstProbeAfter: 10 * time.Second, MaxProbeBackoff: 5 * time.Minute}

// probeTimeout bounds one health probe of a host out of service.
const probeTimeout = 30 * time.Second

// maxFreeFailovers bounds how many times in a row an issue moves to another host without using
// up an attempt. A host that answers its probe yet fails every agent before the handshake
// (codex missing there, a broken login shell) would otherwise bounce the issue forever; past
// the bound the failure counts as the attempt's and the retry back-off applies.
const maxFreeFailovers = 3

// HostRow is one worker host's health and load, for status views and metrics.
type HostRow struct {
	// Host is the host's workers.ssh_hosts key.
	Host    string
	Healthy bool
	Running int
	// Capacity is workers.max_concurrent_agents_per_host; 0 when only the global limit applies.
	Capacity            int
	ConsecutiveFailures int
	LastError           string
	// DownSince and NextProbe are zero while the host is healthy.
	DownSince time.Time
	NextProbe time.Time
}

// workerHosts is the loop's view of the worker hosts; all of it is owned by the loop goroutine.
type workerHosts struct {
	// pool is nil when every agent runs on this machine.
	pool *sshworker.Pool
	// last is the host of each issue's latest attempt: a retry, a continuation and a rework
	// prefer it, since its workspace is there.
	last map[string]string
	// probing are the hosts whose probe is under way.
	probing    map[string]bool
	probeTimer Timer
	// probeCtx ends the probes under way at shutdown.
	probeCtx  context.Context
	probeStop context.CancelFunc
	// noCapacity says the last fillSlots left an issue waiting because no healthy host had a
	// free slot.
	noCapacity bool
	// failovers counts each issue's moves to another host in a row that used up no attempt.
	failovers map[string]int
}

func newWorkerHosts(s Settings) (workerHosts, error) {
	pool, err := hostPool(s)
	if err != nil {
		return workerHosts{}, err
	}
	ctx, stop := context.WithCancel(context.Background())
	return workerHosts{pool: pool, last: map[string]string{}, probing: map[string]bool{}, probeCtx: ctx, probeStop: stop,
		failovers: map[string]int{}}, nil
}

// hostPool is the pool of the configured worker hosts, or nil without any.
func hostPool(s Settings) (*sshworker.Pool, error) {
	if len(s.WorkerHosts) == 0 {
		return nil, nil
	}
	hosts, errs := sshworker.ParseHosts(s.WorkerHosts)
	if len(errs) > 0 {
		return nil, fmt.Errorf("workers.ssh_hosts[%d]: %w", errs[0].Index, errs[0].Err)
	}
	return sshworker.NewPool(hosts, s.MaxAgentsPerHost, hostHealthPolicy)
}

// oneShotHost picks the host of the next attempt of a one-shot command (symphony run, symphony
// pr), which runs one attempt at a time and never probes: the previous attempt's host while no
// connection to it failed, else the first host still in service; "" without worker hosts.
func oneShotHost(pool *sshworker.Pool, previous string) (string, error) {
	if pool == nil {
		return "", nil
	}
	h, err := pool.Pick(previous)
	if err != nil {
		return "", err
	}
	return h.String(), nil
}

// noteOneShotFailure takes a host out of service for the rest of a one-shot command when its
// attempt could not reach it, so the next attempt goes to another host.
func noteOneShotFailure(pool *sshworker.Pool, host string, now time.Time, err error) {
	if pool != nil && host != "" && hostUnavailable(err) {
		_, _, _ = pool.RecordCheck(host, now, err)
	}
}

// takeHost picks the host of issueID's next attempt and takes a slot there: the host of its
// previous attempt while it is healthy and has a free slot, else the least loaded healthy
// host. ok is false when no healthy host has a free slot; without worker hosts it is "" (this
// machine) and true.
func (o *Orchestrator) takeHost(issueID string) (host string, ok bool) {
	if o.hosts.pool == nil {
		return "", true
	}
	h, err := o.hosts.pool.Pick(o.hosts.last[issueID])
	if err != nil {
		return "", false
	}
	if err := o.hosts.pool.Acquire(h.String()); err != nil {
		o.log.Error("taking a worker host slot failed", "host", h.String(), "error", err.Error())
		return "", false
	}
	return h.String(), true
}

// releaseHost frees the slot a finished attempt held.
func (o *Orchestrator) releaseHost(host string) {
	if host == "" || o.hosts.pool == nil {
		return
	}
	if err := o.hosts.pool.Release(host); err != nil {
		o.log.Error("releasing a worker host slot failed", "host", host, "error", err.Error())
	}
}

// WorkspacesOn is the Workspaces of host, or this machine's for "": the orchestrator and
// the pull-request pollers reach an issue's workspace where its run left it.
func (d Deps) WorkspacesOn(host string) (Workspaces, error) {
	if host == "" {
		return d.Workspaces, nil
	}
	if d.HostWorkspaces == nil {
		return nil, fmt.Errorf("worker host %s: no remote workspaces are configured", host)
	}
	ws, err := d.HostWorkspaces(host)
	if err != nil {
		return nil, fmt.Errorf("worker host %s: %w", host, err)
	}
	return ws, nil
}

// hostUnavailable tells a worker host that could not be reached, or whose remote side failed
// before the agent's handshake, from the agent's own failure: the session reports it with
// the worker_host_unavailable code (sshworker.Classify decides it from ssh's exit), remote
// workspace calls wrap sshworker.ErrWorkerHostUnavailable.
func hostUnavailable(err error) bool {
	return agent.CodeOf(err) == agent.Code(sshworker.CodeWorkerHostUnavailable) || errors.Is(err, sshworker.ErrWorkerHostUnavailable)
}

// hostFailed takes host out of service after a failed connection and schedules its probe.
func (o *Orchestrator) hostFailed(host string, err error) {
	wentDown, _, rerr := o.hosts.pool.RecordCheck(host, o.clock.Now(), err)
	if rerr != nil {
		o.log.Error("recording a worker host failure failed", "host", host, "error", rerr.Error())
		return
	}
	if wentDown {
		o.log.Warn("worker host unavailable; taken out of service until a probe reaches it", "host", host, "reason", brief(err.Error()))
	}
	o.armProbes()
}

// armProbes sets the probe timer for the earliest probe of a host out of service; a host
// whose probe is under way waits for its result, which sets its next probe time.
func (o *Orchestrator) armProbes() {
	o.stopTimer(o.hosts.probeTimer)
	o.hosts.probeTimer = nil
	if o.stopping {
		return
	}
	var at time.Time
	for _, h := range o.hosts.pool.Health() {
		if !h.Healthy && !o.hosts.probing[h.Host.String()] && (at.IsZero() || h.NextProbe.Before(at)) {
			at = h.NextProbe
		}
	}
	if at.IsZero() {
		return
	}
	o.hosts.probeTimer = o.clock.AfterFunc(max(at.Sub(o.clock.Now()), 0), func() { o.send(msgProbeDue{}) })
}

// onProbeDue starts a probe, off the loop, of every host whose probe time has come.
func (o *Orchestrator) onProbeDue() {
	o.hosts.probeTimer = nil
	if o.stopping {
		return
	}
	for _, h := range o.hosts.pool.ProbesDue(o.clock.Now()) {
		host := h.String()
		if o.hosts.probing[host] {
			continue
		}
		o.hosts.probing[host] = true
		go func() {
			ctx, cancel := context.WithTimeout(o.hosts.probeCtx, probeTimeout)
			defer cancel()
			o.send(msgProbeResult{host: host, err: o.d.ProbeHost(ctx, host)})
		}()
	}
	o.armProbes()
}

// onProbeResult returns a host that answered to service, or backs its next probe off.
func (o *Orchestrator) onProbeResult(m msgProbeResult) {
	delete(o.hosts.probing, m.host)
	_, cameBack, err := o.hosts.pool.RecordCheck(m.host, o.clock.Now(), m.err)
	switch {
	case err != nil:
		o.log.Error("recording a worker host probe failed", "host", m.host, "error", err.Error())
	case cameBack:
		o.log.Info("worker host answered its probe; back in service", "host", m.host)
	case m.err != nil:
		o.log.Info("worker host probe failed; still out of service", "host", m.host, "error", brief(m.err.Error()))
	}
	o.armProbes()
}

// stopProbes ends the probe timer and the probes under way, at shutdown.
func (o *Orchestrator) stopProbes() {
	o.stopTimer(o.hosts.probeTimer)
	o.hosts.probeTimer = nil
	o.hosts.probeStop()
}

// hostRows is the worker hosts' health for the snapshot, in list order; nil without hosts.
func (o *Orchestrator) hostRows() []HostRow {
	if o.hosts.pool == nil {
		return nil
	}
	health := o.hosts.pool.Health()
	rows := make([]HostRow, len(health))
	for i, h := range health {
		rows[i] = HostRow{Host: h.Host.String(), Healthy: h.Healthy, Running: h.Running, Capacity: h.Capacity,
			ConsecutiveFailures: h.ConsecutiveFailures, LastError: h.LastError, DownSince: h.DownSince, NextProbe: h.NextProbe}
	}
	return rows
}
