package depaudit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/issue"
)

// Gate is the dependency audit as the tools use it before a push or a pull request: it runs
// Check, passes what an operator approved for the issue, and records what it holds.
type Gate struct {
	kv    KV
	log   Auditor
	allow atomic.Pointer[Allow]
	now   func() time.Time
	// commenter, when set, gets the held list as a comment on the issue, once per list.
	commenter Commenter
}

// Commenter posts a comment on a tracker issue (tracker.Tracker's CreateComment).
type Commenter interface {
	CreateComment(ctx context.Context, issueID, body string) (issue.Comment, error)
}

// CommentOn makes the gate post each newly held list on its issue, so the people watching
// the issue see what waits for approval without reading the service's log.
func (g *Gate) CommentOn(c Commenter) { g.commenter = c }

// NewGate builds a gate keeping its state in kv and writing to log.
func NewGate(kv KV, log Auditor, allow Allow) *Gate {
	g := &Gate{kv: kv, log: log, now: time.Now}
	g.allow.Store(&allow)
	return g
}

// ApplyConfig takes a reloaded configuration's allow-lists; reviews already running keep
// the lists they started with.
func (g *Gate) ApplyConfig(cfg *config.Config) {
	allow := AllowFromConfig(cfg.DependencyAudit)
	g.allow.Store(&allow)
}

// Review audits the change from the merge base of base and head to head in repoDir for an
// issue. A held report the operator already approved (same issue, same list) comes back
// StatusApproved; one not yet approved is recorded (RecordHeld) and comes back StatusHeld,
// and the caller must not push. An error means the audit could not run (an unknown
// revision, no merge base, git timing out): the caller must not push either.
func (g *Gate) Review(ctx context.Context, issueID, identifier, repoDir, base, head string) (Report, error) {
	if issueID == "" {
		return Report{}, fmt.Errorf("dependency audit: review needs the issue id")
	}
	r, err := Check(ctx, repoDir, base, head, *g.allow.Load())
	if err != nil {
		return Report{}, err
	}
	if r.Status != StatusHeld {
		return r, nil
	}
	a, ok, err := approval(ctx, g.kv, issueID, r.Digest)
	if err != nil {
		return Report{}, err
	}
	if ok {
		if !a.Audited {
			if _, err := AuditApproval(ctx, g.kv, g.log, a); err != nil {
				return Report{}, err
			}
		}
		r.Status = StatusApproved
		return r, nil
	}
	if err := g.RecordHeld(ctx, issueID, identifier, r); err != nil {
		return Report{}, err
	}
	return r, nil
}

// RecordHeld stores a held report as the issue's pending approval, replacing any earlier
// one, and writes a dependency_pending_approval audit record unless the same list was
// already pending (an agent retrying its push does not repeat the record).
func (g *Gate) RecordHeld(ctx context.Context, issueID, identifier string, r Report) error {
	if r.Status != StatusHeld || r.Digest == "" {
		return fmt.Errorf("dependency audit: only a held report can wait for approval (status %q)", r.Status)
	}
	prev, hadPrev, err := PendingApproval(ctx, g.kv, issueID)
	if err != nil {
		return err
	}
	h := Held{IssueID: issueID, Identifier: identifier, Digest: r.Digest, Head: r.Head, MergeBase: r.MergeBase,
		Held: r.Held, Problems: r.Problems, HeldAt: g.now().UTC()}
	raw, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if err := g.kv.PutValue(ctx, heldNamespace, "id:"+issueID, raw); err != nil {
		return err
	}
	if identifier != "" {
		if err := g.kv.PutValue(ctx, heldNamespace, "identifier:"+identifier, []byte(issueID)); err != nil {
			return err
		}
	}
	if hadPrev && prev.Digest == r.Digest {
		return nil
	}
	if _, err := g.log.Append(ctx, audit.Event{IssueID: issueID, IssueIdentifier: identifier, Type: EventPendingApproval, Details: heldDetails(h)}); err != nil {
		return fmt.Errorf("dependency audit: record held report: %w", err)
	}
	if g.commenter != nil {
		if _, err := g.commenter.CreateComment(ctx, issueID, r.Text(identifier)); err != nil {
			return fmt.Errorf("dependency audit: comment the held list on %s: %w", identifier, err)
		}
	}
	return nil
}

// Text is the report as the agent's tool result and the issue comment show it: the verdict,
// then every dependency outside the allow-lists with where it is declared, and how an
// operator approves it.
func (r Report) Text(identifier string) string {
	var b strings.Builder
	b.WriteString(r.Summary())
	b.WriteString("\n")
	for _, line := range r.HeldLines() {
		b.WriteString("- " + line + "\n")
	}
	if r.Status == StatusHeld {
		fmt.Fprintf(&b, "An operator approves this list with: symphony approve-deps %s\n", identifier)
	}
	return b.String()
}
