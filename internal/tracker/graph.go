package tracker

import (
	"context"
	"regexp"
)

// IssueRef is another issue as the agent tools show it: enough to name it and see where it
// stands, nothing it could be mistaken to act on.
type IssueRef struct {
	ID         string
	Identifier string
	Title      string
	State      string
	URL        string
}

// Relation types, always from the point of view of the issue asked about.
const (
	RelationBlocks       = "blocks"
	RelationBlockedBy    = "blocked_by"
	RelationRelated      = "related"
	RelationDuplicateOf  = "duplicate_of"
	RelationDuplicatedBy = "duplicated_by"
)

// Relation is one link between the issue asked about and another.
type Relation struct {
	// Type is one of the Relation* constants, or the tracker's own word for a kind it added
	// later, so a new kind is shown rather than dropped.
	Type  string
	Issue IssueRef
}

// RelationType turns a relation kind stored on its source issue (Linear's words: blocks,
// related, duplicate) into the type seen from one end: outgoing when the issue asked about is
// the source, incoming when it is the target.
func RelationType(kind string, outgoing bool) string {
	switch {
	case kind == "blocks" && outgoing:
		return RelationBlocks
	case kind == "blocks":
		return RelationBlockedBy
	case kind == "duplicate" && outgoing:
		return RelationDuplicateOf
	case kind == "duplicate":
		return RelationDuplicatedBy
	}
	return kind
}

// Link is a URL attached to an issue.
type Link struct {
	ID    string
	URL   string
	Title string
}

// FileUpload is a file to attach to an issue. Body holds the whole content: the caller read it
// once through the handle it checked, so the tracker stores exactly the bytes that were checked.
type FileUpload struct {
	// Name is the file's base name, without directories.
	Name        string
	ContentType string
	// Title names the attachment; empty means Name.
	Title string
	// Public asks for a URL anyone can open; otherwise the tracker keeps the file private.
	Public bool
	Body   []byte
}

// MaxRelated is how many sub-issues, and how many relations in each direction, a tracker
// returns; the agent tools promise no more.
const MaxRelated = 50

// StateLister is a tracker that can name the workflow states an issue may move to, so a
// refused state change can list them. Trackers whose states are free text do not implement it.
type StateLister interface {
	ListStates(ctx context.Context, issueID string) ([]string, error)
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsUUID reports whether s has the form of a UUID, which Linear uses for every entity id.
func IsUUID(s string) bool { return uuidPattern.MatchString(s) }
