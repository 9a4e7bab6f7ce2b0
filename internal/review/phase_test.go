package review

import (
	"strings"
	"testing"
)

func TestMachine(t *testing.T) {
	changes := Outcome{Kind: ChangesWanted, Comments: []string{"a.go:1-2: fix it"}}
	type step struct {
		head     string
		outcome  Outcome
		step     Step
		phase    Phase
		rounds   int
		prompt   string // a substring the executor's prompt must hold
		noPrompt bool
	}
	cases := []struct {
		name  string
		max   int
		steps []step
	}{
		{"approve at once", 1, []step{
			{head: "c1", outcome: Outcome{Kind: Approved}, step: Tell, phase: Complete, prompt: "Reviewer agent approved the committed diff"},
		}},
		{"changes, fix, approve", 1, []step{
			{head: "c1", outcome: changes, step: Tell, phase: AwaitingCorrection, rounds: 1, prompt: "1. a.go:1-2: fix it\n\nAddress each comment, commit, and then stop before `git push` again"},
			{head: "c2", outcome: Outcome{Kind: Approved}, step: Tell, phase: Complete, rounds: 1, prompt: "approved"},
		}},
		{"changes past max_iterations are forced", 1, []step{
			{head: "c1", outcome: changes, step: Tell, phase: AwaitingCorrection, rounds: 1, prompt: "stop before `git push` again"},
			{head: "c2", outcome: changes, step: Tell, phase: Complete, rounds: 2,
				prompt: "1. reviewer did not converge: still requesting changes after 1 round(s) (pre_push_review.max_iterations)\n2. a.go:1-2: fix it\n\nAddress what holds up, commit, and then continue the normal workflow: push"},
		}},
		{"a downgraded outcome is forced even within max_iterations", 3, []step{
			{head: "c1", outcome: Outcome{Kind: ChangesWanted, Forced: true, Comments: []string{"reviewer did not converge: x"}}, step: Tell, phase: Complete, rounds: 1, prompt: "continue the normal workflow"},
		}},
		{"block escalates", 1, []step{
			{head: "c1", outcome: Outcome{Kind: Blocked, Reason: "unsafe"}, step: Escalate, phase: Complete, noPrompt: true},
		}},
		{"a failure leaves the commit unreviewed", 1, []step{
			{head: "c1", outcome: Outcome{Kind: Failed}, step: Fail, phase: NotRun, noPrompt: true},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := &Machine{MaxIterations: tc.max, Phase: NotRun}
			for i, s := range tc.steps {
				if !m.Due(s.head, "base") {
					t.Fatalf("step %d: %s is not due", i+1, s.head)
				}
				a := m.Apply(s.head, s.outcome)
				if a.Step != s.step || m.Phase != s.phase || m.Rounds != s.rounds {
					t.Fatalf("step %d: step %s phase %s rounds %d, want %s %s %d", i+1, a.Step, m.Phase, m.Rounds, s.step, s.phase, s.rounds)
				}
				if s.noPrompt != (a.Prompt == "") || !strings.Contains(a.Prompt, s.prompt) {
					t.Fatalf("step %d: prompt %q, want it to hold %q", i+1, a.Prompt, s.prompt)
				}
			}
		})
	}
}

func TestDue(t *testing.T) {
	m := &Machine{MaxIterations: 1}
	if m.Due("base", "base") || m.Due("", "base") {
		t.Fatal("nothing committed past the merge base is due")
	}
	m.Apply("c1", Outcome{Kind: Approved})
	if m.Due("c1", "base") {
		t.Fatal("an approved commit is reviewed again")
	}
	if !m.Due("c2", "base") {
		t.Fatal("a commit after the approval is not reviewed")
	}
}
