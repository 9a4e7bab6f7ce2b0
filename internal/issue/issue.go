// Package issue holds the normalized work-item model that every tracker produces and every
// other part of Symphony consumes. Trackers translate their own payloads into these types so
// the orchestrator, prompts and dashboards never branch on the provider.
package issue

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Issue is one tracker work item after normalization (SPEC §4.1.1).
type Issue struct {
	ID          string
	Identifier  string
	Title       string
	Description string
	// Priority is nil when the tracker has none; lower numbers sort first.
	Priority   *int
	State      string
	Team       *Team
	Project    *Project
	BranchName string
	URL        string
	// PRURLs are the GitHub pull requests linked to the issue, in the tracker's order.
	PRURLs     []string
	AssigneeID string
	// RepoKey is the repository route the issue matched; empty for conflict rows.
	RepoKey string
	// ConflictRepoKeys lists every route that matched when routing was ambiguous.
	ConflictRepoKeys []string
	// Labels are lowercased by the tracker before they reach this type.
	Labels       []string
	BlockedBy    []Blocker
	CreatedAt    *time.Time
	UpdatedAt    *time.Time
	Comments     []Comment
	LinkedIssues []LinkedIssue
	// AssignedToWorker is false when the issue no longer matches the configured assignee,
	// which reconciliation treats as "no longer ours".
	AssignedToWorker bool
}

// Team is the tracker team an issue belongs to.
type Team struct {
	ID   string
	Key  string
	Name string
}

// Project is the tracker project an issue belongs to.
type Project struct {
	ID     string
	Name   string
	SlugID string
}

// Blocker is a reference to an issue that blocks this one.
type Blocker struct {
	ID         string
	Identifier string
	State      string
}

// LinkedIssue is a non-blocking relation to another issue.
type LinkedIssue struct {
	ID         string
	Identifier string
	State      string
	Relation   string
}

// Comment is one tracker comment on an issue.
type Comment struct {
	ID     string
	Body   string
	Author string
	// AuthorID is the tracker's id of the author, where the tracker has one (Linear); empty
	// otherwise.
	AuthorID  string
	CreatedAt *time.Time
	UpdatedAt *time.Time
}

// PullRequestURL is the issue's first linked pull request, or "" when it has none.
func (is Issue) PullRequestURL() string {
	if len(is.PRURLs) == 0 {
		return ""
	}
	return is.PRURLs[0]
}

// NormalizeState returns the comparison form of a tracker state name (SPEC §4.2).
func NormalizeState(state string) string {
	return strings.ToLower(strings.TrimSpace(state))
}

// StateIn reports whether state matches one of states after normalization. The loop asks
// it of every running issue on every tick, so it compares without making the normal forms.
func StateIn(state string, states []string) bool {
	state = strings.TrimSpace(state)
	for _, s := range states {
		if sameNormalState(state, strings.TrimSpace(s)) {
			return true
		}
	}
	return false
}

// sameNormalState reports whether two trimmed states have the same normal form. Between ASCII
// strings that is strings.EqualFold, which allocates nothing; beyond ASCII the two differ
// (EqualFold matches "ſ" with "s", ToLower does not), so those are lowered.
func sameNormalState(a, b string) bool {
	if isASCII(a) && isASCII(b) {
		return strings.EqualFold(a, b)
	}
	return NormalizeState(a) == NormalizeState(b)
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
