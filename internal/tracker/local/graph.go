package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

// graph is the indexed directory, walked for links between issues.
type graph struct{ v *view }

// readGraph brings the index up to date and finds the issue with the given id.
func (t *Tracker) readGraph(ctx context.Context, issueID string) (graph, record, error) {
	if err := ctx.Err(); err != nil {
		return graph{}, record{}, err
	}
	v, err := t.fresh()
	if err != nil {
		return graph{}, record{}, err
	}
	if e, ok := v.byID[issueID]; ok {
		return graph{v: v}, e.rec, nil
	}
	return graph{}, record{}, tracker.Errorf(tracker.CodeIssueNotFound, "no readable issue file in %s has id %s", t.dir, issueID)
}

// ref summarises the issue an identifier names; one whose file is missing or malformed is
// still shown, by identifier alone, so a person sees the broken link.
func (g graph) ref(identifier string) tracker.IssueRef {
	e, ok := g.v.readable(identifier)
	if !ok {
		return tracker.IssueRef{Identifier: identifier}
	}
	r := e.rec
	return tracker.IssueRef{ID: r.ID, Identifier: r.Identifier, Title: r.Title, State: r.State, URL: r.URL}
}

// ListSubIssues returns the issues whose parent key names this issue, in file name order.
func (t *Tracker) ListSubIssues(ctx context.Context, issueID string) ([]tracker.IssueRef, error) {
	g, self, err := t.readGraph(ctx, issueID)
	if err != nil {
		return nil, err
	}
	var out []tracker.IssueRef
	for _, e := range g.v.valid {
		if r := e.rec; r.Parent == self.Identifier && len(out) < tracker.MaxRelated {
			out = append(out, g.ref(r.Identifier))
		}
	}
	return out, nil
}

// FetchParent returns the issue the parent key names, or nil when there is none.
func (t *Tracker) FetchParent(ctx context.Context, issueID string) (*tracker.IssueRef, error) {
	g, self, err := t.readGraph(ctx, issueID)
	if err != nil || self.Parent == "" {
		return nil, err
	}
	ref := g.ref(self.Parent)
	return &ref, nil
}

// ListRelations derives both directions from the front matter of every file: blocked_by
// (and other files' blocked_by naming this one: blocks), related (named on either side), and
// duplicate_of (and other files' duplicate_of naming this one: duplicated_by).
func (t *Tracker) ListRelations(ctx context.Context, issueID string) ([]tracker.Relation, error) {
	g, self, err := t.readGraph(ctx, issueID)
	if err != nil {
		return nil, err
	}
	byType := map[string][]string{}
	add := func(kind, identifier string) {
		if identifier != self.Identifier && !slices.Contains(byType[kind], identifier) && len(byType[kind]) < tracker.MaxRelated {
			byType[kind] = append(byType[kind], identifier)
		}
	}
	for _, b := range self.BlockedBy {
		add(tracker.RelationBlockedBy, b.Identifier)
	}
	for _, r := range self.Related {
		add(tracker.RelationRelated, r)
	}
	if self.DuplicateOf != "" {
		add(tracker.RelationDuplicateOf, self.DuplicateOf)
	}
	for _, e := range g.v.valid {
		other := e.rec
		if slices.ContainsFunc(other.BlockedBy, func(b issue.Blocker) bool { return b.Identifier == self.Identifier }) {
			add(tracker.RelationBlocks, other.Identifier)
		}
		if slices.Contains(other.Related, self.Identifier) {
			add(tracker.RelationRelated, other.Identifier)
		}
		if other.DuplicateOf == self.Identifier {
			add(tracker.RelationDuplicatedBy, other.Identifier)
		}
	}
	var out []tracker.Relation
	for _, kind := range []string{tracker.RelationBlocks, tracker.RelationBlockedBy, tracker.RelationRelated, tracker.RelationDuplicateOf, tracker.RelationDuplicatedBy} {
		for _, identifier := range byType[kind] {
			out = append(out, tracker.Relation{Type: kind, Issue: g.ref(identifier)})
		}
	}
	return out, nil
}

// DeleteComment removes a comment from the issue's comments file.
func (t *Tracker) DeleteComment(ctx context.Context, issueID, commentID string) error {
	_, err := t.editComments(ctx, issueID, func(f *commentsFile, _ *time.Time) (issue.Comment, error) {
		for i, c := range f.comments {
			if c.ID == commentID {
				f.comments = slices.Delete(f.comments, i, i+1)
				return c, nil
			}
		}
		return issue.Comment{}, errNoComment{issueID: issueID, commentID: commentID}
	})
	var missing errNoComment
	if errors.As(err, &missing) {
		return tracker.Errorf(tracker.CodeCommentNotFound, "%s", missing.Error())
	}
	return err
}

// storedLink is one entry of a links file (see doc.go).
type storedLink struct {
	ID        string `json:"id"`
	URL       string `json:"url"`
	Title     string `json:"title,omitempty"`
	CreatedAt string `json:"created_at"`
}

// AttachURL appends a link to the issue's links file, LOC-1.links.json beside LOC-1.md.
func (t *Tracker) AttachURL(ctx context.Context, issueID, url, title string) (tracker.Link, error) {
	if err := ctx.Err(); err != nil {
		return tracker.Link{}, err
	}
	e, err := t.byID(issueID)
	if err != nil {
		return tracker.Link{}, err
	}
	defer t.writes.lock(e.identifier)()
	return t.appendLink(e.identifier, url, title)
}

// appendLink adds one entry to the issue's links file (the issue's write lock held).
func (t *Tracker) appendLink(identifier, url, title string) (tracker.Link, error) {
	path := filepath.Join(t.dir, identifier+linksSuffix)
	var added storedLink
	_, err := rewrite(path, func(old []byte) ([]byte, error) {
		links, err := parseLinks(path, old)
		if err != nil {
			return nil, err
		}
		added = storedLink{ID: nextLinkID(links), URL: url, Title: title,
			CreatedAt: t.now().UTC().Truncate(time.Second).Format(time.RFC3339)}
		out, err := json.MarshalIndent(append(links, added), "", "  ")
		return append(out, '\n'), err
	})
	if err != nil {
		return tracker.Link{}, err
	}
	return tracker.Link{ID: added.ID, URL: added.URL, Title: added.Title}, nil
}

// Links returns the links attached to the issue, oldest first.
func (t *Tracker) Links(ctx context.Context, issueID string) ([]tracker.Link, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e, err := t.byID(issueID)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(t.dir, e.identifier+linksSuffix)
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, tracker.Errorf(tracker.CodeLocalIssueFile, "read %s: %w", path, err)
	}
	stored, err := parseLinks(path, data)
	if err != nil {
		return nil, tracker.Errorf(tracker.CodeLocalIssueFile, "%w", err)
	}
	out := make([]tracker.Link, 0, len(stored))
	for _, l := range stored {
		out = append(out, tracker.Link{ID: l.ID, URL: l.URL, Title: l.Title})
	}
	return out, nil
}

// nextLinkID picks l<n> for the lowest n past the count that no entry uses, so a link a person
// removed by hand cannot make two entries share an id.
func nextLinkID(links []storedLink) string {
	for n := len(links) + 1; ; n++ {
		id := fmt.Sprintf("l%d", n)
		if !slices.ContainsFunc(links, func(l storedLink) bool { return l.ID == id }) {
			return id
		}
	}
}

// parseLinks reads a links file; a missing or empty one holds no links.
func parseLinks(path string, data []byte) ([]storedLink, error) {
	var links []storedLink
	if len(data) == 0 {
		return nil, nil
	}
	if err := json.Unmarshal(data, &links); err != nil {
		return nil, &ParseError{Path: path, Msg: "links file must be a JSON array of {id, url, title, created_at}: " + err.Error()}
	}
	return links, nil
}
