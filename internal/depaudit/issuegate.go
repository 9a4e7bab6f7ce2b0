package depaudit

import (
	"context"
	"fmt"
)

// IssueGate is the gate bound to one issue, for a session's tool host: the github_* tools
// ask it before every push and pull request (tools.DependencyGate).
type IssueGate struct {
	gate                *Gate
	issueID, identifier string
}

// ForIssue binds the gate to the issue a session works on.
func (g *Gate) ForIssue(issueID, identifier string) *IssueGate {
	return &IssueGate{gate: g, issueID: issueID, identifier: identifier}
}

// Held reviews the change from the merge base of baseRef and headRef to headRef in the
// workspace and returns what still needs an operator's approval, one line per dependency
// or unreadable manifest; none means the change may leave (it passed, or this list was
// approved). A held list is recorded as the issue's pending approval.
func (ig *IssueGate) Held(ctx context.Context, workspace, baseRef, headRef string) ([]string, error) {
	r, err := ig.gate.Review(ctx, ig.issueID, ig.identifier, workspace, baseRef, headRef)
	if err != nil {
		return nil, err
	}
	if r.Status != StatusHeld {
		return nil, nil
	}
	return r.HeldLines(), nil
}

// HeldLines describes each held dependency and unreadable manifest on one line.
func (r Report) HeldLines() []string {
	var out []string
	for _, d := range r.Held {
		line := fmt.Sprintf("%s package %s from %s %s (%s", d.Ecosystem, d.Package, d.Source.Kind, d.Source.Location, d.File)
		if d.Line > 0 {
			line += fmt.Sprintf(":%d", d.Line)
		}
		out = append(out, line+")")
	}
	for _, p := range r.Problems {
		out = append(out, fmt.Sprintf("%s could not be read: %s", p.File, p.Error))
	}
	return out
}
