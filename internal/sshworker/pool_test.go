package sshworker

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var policy = HealthPolicy{FailuresBeforeDown: 2, FirstProbeAfter: 10 * time.Second, MaxProbeBackoff: 35 * time.Second}

func newTestPool(t *testing.T, perHost int, entries ...string) *Pool {
	t.Helper()
	hosts, errs := ParseHosts(entries)
	if len(errs) > 0 {
		t.Fatal(errs[0].Err)
	}
	p, err := NewPool(hosts, perHost, policy)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPick(t *testing.T) {
	tests := []struct {
		name     string
		perHost  int
		running  map[string]int
		down     []string
		previous string
		want     string // "" means no capacity
	}{
		{"first host when all idle", 2, nil, nil, "", "a"},
		{"least loaded", 2, map[string]int{"a": 1}, nil, "", "b"},
		{"ties go to list order", 3, map[string]int{"a": 1, "b": 1, "c": 1}, nil, "", "a"},
		{"retry keeps its previous host", 2, map[string]int{"c": 1}, nil, "c", "c"},
		{"retry moves when its host is full", 1, map[string]int{"c": 1}, nil, "c", "a"},
		{"retry moves when its host is down", 2, nil, []string{"c"}, "c", "a"},
		{"unknown previous host is ignored", 2, nil, nil, "gone:22", "a"},
		{"down hosts are skipped", 2, nil, []string{"a", "b"}, "", "c"},
		{"all full waits", 1, map[string]int{"a": 1, "b": 1, "c": 1}, nil, "", ""},
		{"all down waits", 1, nil, []string{"a", "b", "c"}, "", ""},
		{"no per-host cap", 0, map[string]int{"a": 50, "b": 40, "c": 60}, nil, "", "b"},
	}
	now := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTestPool(t, tt.perHost, "a", "b", "c")
			for h, n := range tt.running {
				for range n {
					if err := p.Acquire(h); err != nil {
						t.Fatal(err)
					}
				}
			}
			for _, h := range tt.down {
				for range policy.FailuresBeforeDown {
					if _, _, err := p.RecordCheck(h, now, errors.New("refused")); err != nil {
						t.Fatal(err)
					}
				}
			}
			got, err := p.Pick(tt.previous)
			if tt.want == "" {
				if !errors.Is(err, ErrNoWorkerCapacity) || !strings.Contains(err.Error(), CodeNoWorkerCapacity) {
					t.Fatalf("Pick = %v, %v; want %s", got, err, CodeNoWorkerCapacity)
				}
				return
			}
			if err != nil || got.String() != tt.want {
				t.Fatalf("Pick = %v, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestSlots(t *testing.T) {
	p := newTestPool(t, 1, "a", "b")
	if err := p.Acquire("a"); err != nil {
		t.Fatal(err)
	}
	if err := p.Acquire("a"); err == nil || !strings.Contains(err.Error(), CodeNoWorkerCapacity) {
		t.Fatalf("second slot on a one-slot host: %v", err)
	}
	if err := p.Acquire("zz"); err == nil {
		t.Fatal("unknown host accepted")
	}
	if err := p.Release("a"); err != nil {
		t.Fatal(err)
	}
	if err := p.Release("a"); err == nil {
		t.Fatal("release below zero accepted")
	}
	if got, _ := p.Pick(""); got.String() != "a" {
		t.Fatalf("freed slot not offered: %v", got)
	}
}

// TestHealthLifecycle walks one host through failures, down, failed probes with back-off,
// and a successful probe, on a fake clock.
func TestHealthLifecycle(t *testing.T) {
	start := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return start.Add(time.Duration(s) * time.Second) }
	refused := errors.New("ssh: connect to host 127.0.0.1 port 2201: Connection refused")
	p := newTestPool(t, 1, "127.0.0.1:2201", "127.0.0.1:2202")
	const h = "127.0.0.1:2201"

	steps := []struct {
		at           int
		err          error
		wentDown     bool
		cameBack     bool
		healthy      bool
		nextProbe    int // seconds; -1 when healthy
		probesDueAt  int // ProbesDue is asked at this second
		probesDueLen int
	}{
		{at: 0, err: refused, healthy: true, nextProbe: -1, probesDueAt: 0},
		{at: 1, err: nil, healthy: true, nextProbe: -1, probesDueAt: 1}, // success resets the count
		{at: 2, err: refused, healthy: true, nextProbe: -1, probesDueAt: 2},
		{at: 3, err: refused, wentDown: true, nextProbe: 13, probesDueAt: 13, probesDueLen: 1}, // due at 13 exactly
		{at: 13, err: refused, nextProbe: 33, probesDueAt: 32},
		{at: 33, err: refused, nextProbe: 68, probesDueAt: 68, probesDueLen: 1}, // 35 s cap, not 40
		{at: 68, err: refused, nextProbe: 103, probesDueAt: 102},
		{at: 103, err: nil, cameBack: true, healthy: true, nextProbe: -1, probesDueAt: 500},
	}
	for i, s := range steps {
		down, back, err := p.RecordCheck(h, at(s.at), s.err)
		if err != nil {
			t.Fatal(err)
		}
		if down != s.wentDown || back != s.cameBack {
			t.Fatalf("step %d: wentDown=%v cameBack=%v, want %v %v", i, down, back, s.wentDown, s.cameBack)
		}
		hh := p.Health()[0]
		if hh.Healthy != s.healthy {
			t.Fatalf("step %d: healthy=%v, want %v (%+v)", i, hh.Healthy, s.healthy, hh)
		}
		next, ok := p.NextProbe()
		if s.nextProbe < 0 {
			if ok || !hh.NextProbe.IsZero() {
				t.Fatalf("step %d: healthy host has a probe pending at %v", i, next)
			}
		} else if !ok || !next.Equal(at(s.nextProbe)) || !hh.NextProbe.Equal(at(s.nextProbe)) {
			t.Fatalf("step %d: next probe %v (%v), want +%ds", i, next, ok, s.nextProbe)
		}
		if got := len(p.ProbesDue(at(s.probesDueAt))); got != s.probesDueLen {
			t.Fatalf("step %d: %d probes due at +%ds, want %d", i, got, s.probesDueAt, s.probesDueLen)
		}
		if !s.healthy {
			if hh.LastError != refused.Error() || !hh.DownSince.Equal(at(3)) {
				t.Fatalf("step %d: down host should keep its error and down time: %+v", i, hh)
			}
			if got, _ := p.Pick(h); got.String() == h {
				t.Fatalf("step %d: down host picked", i)
			}
			if err := p.Acquire(h); err == nil || !strings.Contains(err.Error(), CodeWorkerHostUnavailable) {
				t.Fatalf("step %d: acquire on a down host: %v", i, err)
			}
		}
	}
	if hh := p.Health()[0]; hh.ConsecutiveFailures != 0 || hh.LastError != "" {
		t.Fatalf("recovered host keeps stale failure state: %+v", hh)
	}
	if got, _ := p.Pick(h); got.String() != h {
		t.Fatalf("recovered host not picked as the retry's previous host: %v", got)
	}
}

func TestHealthKeepsRunningCountAcrossRecovery(t *testing.T) {
	now := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	p := newTestPool(t, 2, "a")
	if err := p.Acquire("a"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		p.RecordCheck("a", now, errors.New("timeout"))
	}
	p.RecordCheck("a", now.Add(time.Minute), nil)
	if hh := p.Health()[0]; hh.Running != 1 || hh.Capacity != 2 {
		t.Fatalf("running count lost: %+v", hh)
	}
}

func TestNewPoolRefusals(t *testing.T) {
	hosts := []Host{{Name: "a"}}
	tests := []struct {
		name    string
		hosts   []Host
		perHost int
		policy  HealthPolicy
	}{
		{"no hosts", nil, 1, policy},
		{"negative cap", hosts, -1, policy},
		{"zero failures", hosts, 1, HealthPolicy{FirstProbeAfter: time.Second, MaxProbeBackoff: time.Second}},
		{"no probe delay", hosts, 1, HealthPolicy{FailuresBeforeDown: 1, MaxProbeBackoff: time.Second}},
		{"max below first", hosts, 1, HealthPolicy{FailuresBeforeDown: 1, FirstProbeAfter: time.Minute, MaxProbeBackoff: time.Second}},
		{"duplicate", []Host{{Name: "a"}, {Name: "a"}}, 1, policy},
	}
	for _, tt := range tests {
		if _, err := NewPool(tt.hosts, tt.perHost, tt.policy); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	if _, err := NewPool(hosts, 1, DefaultHealthPolicy); err != nil {
		t.Errorf("default policy refused: %v", err)
	}
}
