package review

import (
	"context"
	"errors"
	"fmt"
)

// Session is one reviewer agent session in the executor's workspace, with read-only tools.
// RunTurn returns the turn's final message.
type Session interface {
	RunTurn(ctx context.Context, prompt string) (string, error)
	Close()
}

// NewSession starts a fresh reviewer session.
type NewSession func(ctx context.Context) (Session, error)

// Kind is how one evaluation of a committed diff ended.
type Kind string

// Evaluation kinds. Inconclusive never leaves Evaluate: it is retried, then downgraded.
const (
	Approved      Kind = "approved"
	ChangesWanted Kind = "request_changes"
	Blocked       Kind = "blocked"
	Failed        Kind = "review_agent_failed"
	inconclusive  Kind = "review_agent_inconclusive"
)

// Outcome is one evaluation's result.
type Outcome struct {
	Kind Kind
	// Reason is the reviewer's reason (block) or why the review did not converge.
	Reason string
	// Findings are the grounded findings; Comments are what the executor or the tracker is
	// told, one per finding (or per note).
	Findings []Finding
	Comments []string
	// Forced marks request_changes made up after two inconclusive reviewer runs.
	Forced bool
	// Err is the failure of a Failed outcome.
	Err error
}

// CodeUnverifiable is the reason given when the self-check left no finding that could be
// found in the code.
const CodeUnverifiable = "review_agent_unverifiable"

// Evaluate reviews one committed diff: a review turn in a fresh session, then for findings a
// self-check turn and the grounding check. An inconclusive run (a malformed reply, or no
// finding left) is retried once with a fresh session, then downgraded to request_changes with
// a non-convergence note and the unverified findings marked as such.
func Evaluate(ctx context.Context, newSession NewSession, reviewPrompt string, ev Evidence) Outcome {
	var last Outcome
	for range 2 {
		last = evaluateOnce(ctx, newSession, reviewPrompt, ev)
		if last.Kind != inconclusive {
			return last
		}
	}
	comments := []string{"reviewer did not converge: " + last.Reason}
	for _, f := range last.Findings {
		comments = append(comments, "[unverified] "+f.Comment())
	}
	return Outcome{Kind: ChangesWanted, Forced: true, Reason: last.Reason, Comments: comments}
}

func evaluateOnce(ctx context.Context, newSession NewSession, reviewPrompt string, ev Evidence) Outcome {
	s, err := newSession(ctx)
	if err != nil {
		return Outcome{Kind: Failed, Err: fmt.Errorf("start the reviewer session: %w", err)}
	}
	defer s.Close()
	resp, out := turn(ctx, s, reviewPrompt, "review")
	if out != nil {
		return *out
	}
	if resp.Verdict == Approve {
		return Outcome{Kind: Approved}
	}
	resp, out = turn(ctx, s, SelfCheckPrompt, "self-check")
	if out != nil {
		return *out
	}
	if resp.Verdict == Approve {
		return Outcome{Kind: Approved}
	}
	var grounded []Finding
	var comments []string
	for _, f := range resp.Findings {
		if ev.Grounded(f) {
			grounded = append(grounded, f)
			comments = append(comments, f.Comment())
		}
	}
	if len(grounded) == 0 {
		return Outcome{Kind: inconclusive, Reason: CodeUnverifiable + ": no finding quotes code found at its file and lines", Findings: resp.Findings}
	}
	kind := ChangesWanted
	if resp.Verdict == Block {
		kind = Blocked
	}
	return Outcome{Kind: kind, Reason: resp.Reason, Findings: grounded, Comments: comments}
}

// turn runs one reviewer turn and parses it; a non-nil Outcome ends the evaluation.
func turn(ctx context.Context, s Session, prompt, what string) (Response, *Outcome) {
	text, err := s.RunTurn(ctx, prompt)
	if err != nil {
		return Response{}, &Outcome{Kind: Failed, Err: fmt.Errorf("reviewer %s turn: %w", what, err)}
	}
	resp, err := ParseResponse(text)
	var malformed *MalformedError
	if errors.As(err, &malformed) {
		return Response{}, &Outcome{Kind: inconclusive, Reason: what + ": " + malformed.Error()}
	}
	return resp, nil
}
