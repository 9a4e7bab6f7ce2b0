package depaudit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/symphony-go/symphony/internal/audit"
)

// Audit event types the gate writes.
const (
	EventPendingApproval = "dependency_pending_approval"
	EventApproved        = "dependency_approved"
)

// Key/value namespaces in the run store. A held report is stored under "id:<issue id>" and
// found by identifier through "identifier:<identifier>", which holds the issue id; an
// approval under "<issue id>/<digest>".
const (
	heldNamespace     = "depaudit.held"
	approvedNamespace = "depaudit.approved"
)

// maxAuditedDependencies bounds the list copied into one audit record; the full list stays
// in the run store. A change that adds a registry for a whole lock file can list thousands.
const maxAuditedDependencies = 200

// ErrNothingHeld reports that an issue has no held report to approve.
var ErrNothingHeld = errors.New("no dependency change is held for approval")

// KV is the part of the run store (*store.Store) the gate keeps held reports and approvals in.
type KV interface {
	PutValue(ctx context.Context, namespace, key string, value []byte) error
	Value(ctx context.Context, namespace, key string) ([]byte, bool, error)
	DeleteValue(ctx context.Context, namespace, key string) error
}

// Auditor appends to the audit log (*audit.Log).
type Auditor interface {
	Append(ctx context.Context, ev audit.Event) (audit.Record, error)
}

// Held is a report waiting for an operator, as stored.
type Held struct {
	IssueID    string       `json:"issue_id"`
	Identifier string       `json:"issue_identifier"`
	Digest     string       `json:"digest"`
	Head       string       `json:"head"`
	MergeBase  string       `json:"merge_base"`
	Held       []Dependency `json:"held"`
	Problems   []Problem    `json:"problems,omitempty"`
	HeldAt     time.Time    `json:"held_at"`
}

// Approval is an operator's approval of one held list for one issue.
type Approval struct {
	Held
	ApprovedAt time.Time `json:"approved_at"`
	ApprovedBy string    `json:"approved_by,omitempty"`
	// Audited is set once the approval is in the audit log. `symphony approve-deps` cannot
	// write it while the service holds the log; the gate then writes it when it next sees
	// the approval.
	Audited bool `json:"audited"`
}

// PendingApproval returns the held report of an issue, given by id or identifier.
func PendingApproval(ctx context.Context, kv KV, issue string) (Held, bool, error) {
	raw, ok, err := kv.Value(ctx, heldNamespace, "id:"+issue)
	if err != nil {
		return Held{}, false, err
	}
	if !ok {
		id, found, err := kv.Value(ctx, heldNamespace, "identifier:"+issue)
		if err != nil || !found {
			return Held{}, false, err
		}
		if raw, ok, err = kv.Value(ctx, heldNamespace, "id:"+string(id)); err != nil || !ok {
			return Held{}, false, err
		}
	}
	var h Held
	if err := json.Unmarshal(raw, &h); err != nil {
		return Held{}, false, fmt.Errorf("dependency audit: held report of %s is unreadable: %w", issue, err)
	}
	return h, true, nil
}

// Approve approves the held report of an issue (by id or identifier): a later review of the
// same list for that issue passes. The held report is cleared; the caller records the
// approval in the audit log with AuditApproval when it can.
func Approve(ctx context.Context, kv KV, issue, approver string, now time.Time) (Approval, error) {
	h, ok, err := PendingApproval(ctx, kv, issue)
	if err != nil {
		return Approval{}, err
	}
	if !ok {
		return Approval{}, fmt.Errorf("%s: %w", issue, ErrNothingHeld)
	}
	a := Approval{Held: h, ApprovedAt: now.UTC(), ApprovedBy: approver}
	if err := putApproval(ctx, kv, a); err != nil {
		return Approval{}, err
	}
	if err := kv.DeleteValue(ctx, heldNamespace, "id:"+h.IssueID); err != nil {
		return Approval{}, err
	}
	if h.Identifier != "" {
		if err := kv.DeleteValue(ctx, heldNamespace, "identifier:"+h.Identifier); err != nil {
			return Approval{}, err
		}
	}
	return a, nil
}

// AuditApproval writes the dependency_approved record and marks the approval audited.
func AuditApproval(ctx context.Context, kv KV, log Auditor, a Approval) (Approval, error) {
	details := heldDetails(a.Held)
	details["approved_by"] = a.ApprovedBy
	details["approved_at"] = a.ApprovedAt.Format(time.RFC3339)
	if _, err := log.Append(ctx, audit.Event{IssueID: a.IssueID, IssueIdentifier: a.Identifier, Type: EventApproved, Details: details}); err != nil {
		return a, fmt.Errorf("dependency audit: record approval: %w", err)
	}
	a.Audited = true
	return a, putApproval(ctx, kv, a)
}

func approvalKey(issueID, digest string) string { return issueID + "/" + digest }

func putApproval(ctx context.Context, kv KV, a Approval) error {
	raw, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return kv.PutValue(ctx, approvedNamespace, approvalKey(a.IssueID, a.Digest), raw)
}

func approval(ctx context.Context, kv KV, issueID, digest string) (Approval, bool, error) {
	raw, ok, err := kv.Value(ctx, approvedNamespace, approvalKey(issueID, digest))
	if err != nil || !ok {
		return Approval{}, false, err
	}
	var a Approval
	if err := json.Unmarshal(raw, &a); err != nil {
		return Approval{}, false, fmt.Errorf("dependency audit: approval of %s is unreadable: %w", issueID, err)
	}
	return a, true, nil
}

// heldDetails is the audit form of a held list: the digest, the revisions and the
// dependencies (at most maxAuditedDependencies of them, with the full count).
func heldDetails(h Held) map[string]any {
	list := h.Held
	if len(list) > maxAuditedDependencies {
		list = list[:maxAuditedDependencies]
	}
	d := map[string]any{
		"digest":       h.Digest,
		"head":         h.Head,
		"merge_base":   h.MergeBase,
		"held_count":   len(h.Held),
		"dependencies": list,
	}
	if len(h.Problems) > 0 {
		d["problems"] = h.Problems
	}
	return d
}
