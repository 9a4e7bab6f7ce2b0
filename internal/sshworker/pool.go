package sshworker

import (
	"errors"
	"fmt"
	"time"
)

// Error codes shared with the orchestrator, API and logs.
const (
	CodeNoWorkerCapacity      = "no_worker_capacity"
	CodeWorkerHostUnavailable = "worker_host_unavailable"
)

// ErrNoWorkerCapacity means every healthy host is full (or none is healthy): the issue waits
// for a slot and never falls back to running locally.
var ErrNoWorkerCapacity = errors.New(CodeNoWorkerCapacity + ": no healthy worker host has a free slot")

// ErrWorkerHostUnavailable marks an error as the worker host's fault (ssh could not connect,
// or the remote side failed before the agent's handshake), not the issue's. Remote workspace
// and session code wraps it (or reports an agent error with CodeWorkerHostUnavailable) so the
// scheduler takes the host out of service instead of charging the attempt.
var ErrWorkerHostUnavailable = errors.New(CodeWorkerHostUnavailable)

// HealthPolicy decides when a host leaves service and how often a down host is probed.
type HealthPolicy struct {
	FailuresBeforeDown int           // consecutive failed connection checks that mark a host down
	FirstProbeAfter    time.Duration // wait before the first probe of a down host
	MaxProbeBackoff    time.Duration // the wait doubles after each failed probe, up to this
}

// DefaultHealthPolicy tolerates one flaky connection but not a dead host.
var DefaultHealthPolicy = HealthPolicy{FailuresBeforeDown: 2, FirstProbeAfter: 10 * time.Second, MaxProbeBackoff: 5 * time.Minute}

// Pool is the scheduler's view of the worker hosts: slots in use and health. It does no I/O and
// takes the time as an argument, so the orchestrator loop can own it and tests can drive it with
// a fake clock. It is not safe for concurrent use.
type Pool struct {
	hosts   []Host
	perHost int // 0: no per-host cap; agent.concurrency.max_total still bounds the total
	policy  HealthPolicy
	state   map[string]*hostState
}

type hostState struct {
	running   int
	failures  int // consecutive failed connection checks
	down      bool
	lastErr   string
	downSince time.Time
	backoff   time.Duration
	nextProbe time.Time
}

// HostHealth is one host's state for status output, the API and metrics.
type HostHealth struct {
	Host                Host
	Running             int
	Capacity            int // 0 when unlimited per host
	Healthy             bool
	ConsecutiveFailures int
	LastError           string
	DownSince           time.Time // zero while healthy
	NextProbe           time.Time // zero while healthy
}

// NewPool builds a pool over hosts (as ParseHosts returned them) with perHost slots each
// (0 for no per-host cap). Every host starts healthy.
func NewPool(hosts []Host, perHost int, policy HealthPolicy) (*Pool, error) {
	if len(hosts) == 0 {
		return nil, errors.New("worker pool needs at least one ssh host")
	}
	if perHost < 0 {
		return nil, fmt.Errorf("max concurrent agents per host must not be negative, got %d", perHost)
	}
	if policy.FailuresBeforeDown < 1 || policy.FirstProbeAfter <= 0 || policy.MaxProbeBackoff < policy.FirstProbeAfter {
		return nil, fmt.Errorf("health policy needs FailuresBeforeDown >= 1 and 0 < FirstProbeAfter <= MaxProbeBackoff, got %+v", policy)
	}
	p := &Pool{hosts: hosts, perHost: perHost, policy: policy, state: map[string]*hostState{}}
	for _, h := range hosts {
		if _, dup := p.state[h.String()]; dup {
			return nil, fmt.Errorf("ssh host %s is listed twice", h)
		}
		p.state[h.String()] = &hostState{}
	}
	return p, nil
}

// Pick chooses the host for the next run without taking its slot. A retry passes the key
// (Host.String()) of the host its previous attempt ran on, which wins while it is healthy and has a slot, so its workspace is
// reused; otherwise the least-loaded healthy host wins, ties going to the earlier list entry.
func (p *Pool) Pick(previous string) (Host, error) {
	if s, ok := p.state[previous]; ok && p.available(s) {
		return p.host(previous), nil
	}
	best := -1
	for i, h := range p.hosts {
		s := p.state[h.String()]
		if p.available(s) && (best < 0 || s.running < p.state[p.hosts[best].String()].running) {
			best = i
		}
	}
	if best < 0 {
		return Host{}, ErrNoWorkerCapacity
	}
	return p.hosts[best], nil
}

// Acquire takes a slot on host for a starting run.
func (p *Pool) Acquire(host string) error {
	s, ok := p.state[host]
	switch {
	case !ok:
		return fmt.Errorf("unknown worker host %q", host)
	case s.down:
		return fmt.Errorf("%s: worker host %s is down: %s", CodeWorkerHostUnavailable, host, s.lastErr)
	case !p.available(s):
		return fmt.Errorf("%s: worker host %s has no free slot", CodeNoWorkerCapacity, host)
	}
	s.running++
	return nil
}

// Release frees the slot a finished run held on host.
func (p *Pool) Release(host string) error {
	s, ok := p.state[host]
	if !ok {
		return fmt.Errorf("unknown worker host %q", host)
	}
	if s.running == 0 {
		return fmt.Errorf("worker host %s has no running agent to release", host)
	}
	s.running--
	return nil
}

// RecordCheck records the outcome of a connection to host made at now: a probe, or a run whose
// ssh connection failed (err set) or reached the agent (err nil). It reports whether the host
// just went down or just came back.
func (p *Pool) RecordCheck(host string, now time.Time, err error) (wentDown, cameBack bool, _ error) {
	s, ok := p.state[host]
	if !ok {
		return false, false, fmt.Errorf("unknown worker host %q", host)
	}
	if err == nil {
		cameBack = s.down
		*s = hostState{running: s.running}
		return false, cameBack, nil
	}
	s.failures++
	s.lastErr = err.Error()
	switch {
	case s.down:
		s.backoff = min(2*s.backoff, p.policy.MaxProbeBackoff)
	case s.failures >= p.policy.FailuresBeforeDown:
		s.down, wentDown = true, true
		s.downSince = now
		s.backoff = p.policy.FirstProbeAfter
	default:
		return false, false, nil
	}
	s.nextProbe = now.Add(s.backoff)
	return wentDown, false, nil
}

// ProbesDue lists the down hosts whose next probe time has come, in list order.
func (p *Pool) ProbesDue(now time.Time) []Host {
	var due []Host
	for _, h := range p.hosts {
		if s := p.state[h.String()]; s.down && !now.Before(s.nextProbe) {
			due = append(due, h)
		}
	}
	return due
}

// NextProbe is the earliest pending probe time, for arming the loop's timer; ok is false while
// every host is healthy.
func (p *Pool) NextProbe() (at time.Time, ok bool) {
	for _, s := range p.state {
		if s.down && (!ok || s.nextProbe.Before(at)) {
			at, ok = s.nextProbe, true
		}
	}
	return at, ok
}

// Health reports every host in list order.
func (p *Pool) Health() []HostHealth {
	out := make([]HostHealth, len(p.hosts))
	for i, h := range p.hosts {
		s := p.state[h.String()]
		out[i] = HostHealth{Host: h, Running: s.running, Capacity: p.perHost, Healthy: !s.down,
			ConsecutiveFailures: s.failures, LastError: s.lastErr}
		if s.down {
			out[i].DownSince, out[i].NextProbe = s.downSince, s.nextProbe
		}
	}
	return out
}

func (p *Pool) available(s *hostState) bool {
	return !s.down && (p.perHost == 0 || s.running < p.perHost)
}

func (p *Pool) host(key string) Host {
	for _, h := range p.hosts {
		if h.String() == key {
			return h
		}
	}
	return Host{}
}
