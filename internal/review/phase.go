package review

import "fmt"

// Phase is where an attempt stands with the reviewer.
type Phase string

// Phases.
const (
	NotRun             Phase = "not_run"
	AwaitingCorrection Phase = "awaiting_correction"
	Complete           Phase = "complete"
)

// Step is what the worker does after an evaluation.
type Step string

// Steps.
const (
	// Tell sends Action.Prompt to the executor as its next turn.
	Tell Step = "tell_executor"
	// Escalate ends the attempt as review_agent_blocked: findings to the tracker, the issue
	// to the escalation state, no retry.
	Escalate Step = "escalate"
	// Fail ends the attempt as review_agent_failed, which is retried like any failure.
	Fail Step = "fail"
)

// Action is the phase machine's answer to an evaluation.
type Action struct {
	Step    Step
	Prompt  string
	Outcome Outcome
}

// Machine tracks one attempt's reviews. The zero value with MaxIterations set is ready.
type Machine struct {
	// MaxIterations is how many request_changes rounds go back to the executor before the
	// reviewer is treated as not converging (pre_push_review.max_iterations).
	MaxIterations int
	Phase         Phase
	// Rounds counts request_changes rounds sent to the executor.
	Rounds int
	// ReviewedHead is the commit the last evaluation looked at.
	ReviewedHead string
}

// Due reports whether head needs a review: the executor committed past the merge base and
// the reviewer has not seen this commit. After an approval only new commits are reviewed.
func (m *Machine) Due(head, mergeBase string) bool {
	return head != "" && head != mergeBase && head != m.ReviewedHead
}

// Apply moves the machine on o, the evaluation of head, and says what to do next.
func (m *Machine) Apply(head string, o Outcome) Action {
	switch o.Kind {
	case Approved:
		m.ReviewedHead, m.Phase = head, Complete
		return Action{Step: Tell, Prompt: ApprovalPrompt, Outcome: o}
	case Blocked:
		m.ReviewedHead, m.Phase = head, Complete
		return Action{Step: Escalate, Outcome: o}
	case ChangesWanted:
		m.ReviewedHead = head
		m.Rounds++
		if !o.Forced && m.Rounds > m.MaxIterations {
			o.Forced = true
			o.Comments = append([]string{fmt.Sprintf("reviewer did not converge: still requesting changes after %d round(s) (pre_push_review.max_iterations)", m.MaxIterations)}, o.Comments...)
		}
		if o.Forced {
			m.Phase = Complete
		} else {
			m.Phase = AwaitingCorrection
		}
		return Action{Step: Tell, Prompt: ChangesPrompt(o.Comments, o.Forced), Outcome: o}
	default:
		// A failed review leaves the commit unreviewed, so the retried attempt reviews it.
		return Action{Step: Fail, Outcome: o}
	}
}
