package orchestrator

import (
	"errors"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
	"github.com/symphony-go/symphony/internal/store"
)

func TestDispatchPRRefusals(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, h *harness)
		// preflight, when set, fails every dispatch preflight.
		preflight error
		want      string
		// sessions is how many PR-7 sessions exist after the refused request.
		sessions int
	}{
		{name: "paused", want: RefusedPaused, setup: func(t *testing.T, h *harness) {
			if err := h.o.Pause("freeze"); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "already running", want: RefusedAlreadyRunning, sessions: 1, setup: func(t *testing.T, h *harness) {
			gate := make(chan struct{})
			t.Cleanup(func() { close(gate) })
			h.agents.Script("PR-7", scriptWait(gate))
			if err := h.o.DispatchPR("app", demoPR); err != nil {
				t.Fatal(err)
			}
			h.waitFor("the PR session", started("pr:app:7"))
		}},
		{name: "dispatch blocked", want: RefusedDispatchBlocked, preflight: errors.New("codex is not on PATH"), setup: func(*testing.T, *harness) {}},
		{name: "no free slot", want: RefusedNoFreeSlot, setup: func(t *testing.T, h *harness) {
			gate := make(chan struct{})
			t.Cleanup(func() { close(gate) })
			h.put(newIssue(1, "In Progress"))
			h.agents.Script("ENG-1", scriptWait(gate))
			h.poll()
			h.waitFor("ENG-1's session", started("id-1"))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := prHarness(t)
			h.cfg.settings.MaxTotal = 1
			if tc.preflight != nil {
				h.cfg.preflight = func() error { return tc.preflight }
			}
			h.start()
			tc.setup(t, h)
			err := h.o.DispatchPR("app", demoPR)
			var r *Refusal
			if !errors.As(err, &r) || r.Code != tc.want {
				t.Fatalf("DispatchPR = %v, want the refusal %s", err, tc.want)
			}
			if n := len(h.agents.SessionsFor("PR-7")); n != tc.sessions {
				t.Errorf("%d PR-7 sessions after the refusal, want %d", n, tc.sessions)
			}
		})
	}
}

func TestDispatchPRRunsOneAttemptAndNeverRetries(t *testing.T) {
	cases := []struct {
		name string
		turn agenttest.Turn
		want store.Status
	}{
		{name: "success", turn: agenttest.Turn{Tokens: 10}, want: store.StatusSuccess},
		{name: "failure", turn: agenttest.Turn{Err: &agent.Error{Code: agent.CodeTurnFailed, Message: "scripted failure"}}, want: store.StatusFailure},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := prHarness(t)
			h.agents.Script("PR-7", agenttest.Script{Turns: []agenttest.Turn{tc.turn, tc.turn}})
			h.start()
			if err := h.o.DispatchPR("app", demoPR); err != nil {
				t.Fatal(err)
			}
			h.waitStatuses("pr:app:7", tc.want)
			h.waitFor("the PR run to end", idle("pr:app:7"))
			// Well past every continuation delay and failure back-off: nothing runs it again.
			h.advance(time.Hour)
			h.poll()
			if s := h.o.Snapshot(); !idle("pr:app:7")(s) {
				t.Fatalf("the PR run is active again: %s", describe(s))
			}
			sessions := h.agents.SessionsFor("PR-7")
			if len(sessions) != 1 || len(sessions[0].Prompts()) != 1 {
				t.Fatalf("%d sessions, want exactly one session with one turn", len(sessions))
			}
			runs := h.runs("pr:app:7")
			if len(runs) != 1 || runs[0].IssueIdentifier != "PR-7" {
				t.Fatalf("runs %+v, want one PR-7 run", runs)
			}
			// A finished PR run may be asked for again.
			if err := h.o.DispatchPR("app", demoPR); err != nil {
				t.Fatalf("a second DispatchPR after the first ended: %v", err)
			}
			h.waitStatuses("pr:app:7", tc.want, tc.want)
		})
	}
}
