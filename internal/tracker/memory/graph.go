package memory

import (
	"context"
	"fmt"
	"slices"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

// storedRelation is a relation as its source issue holds it.
type storedRelation struct{ from, kind, to string }

// SetParent makes parentID the parent of childID (an empty parentID removes the parent).
func (t *Tracker) SetParent(childID, parentID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if parentID == "" {
		delete(t.parents, childID)
		return
	}
	t.parents[childID] = parentID
}

// Relate records that fromID relates to toID with kind in Linear's words: "blocks" (fromID
// blocks toID), "related", or "duplicate" (fromID duplicates toID).
func (t *Tracker) Relate(fromID, kind, toID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.relations = append(t.relations, storedRelation{from: fromID, kind: kind, to: toID})
}

// Links returns the URLs attached to an issue, oldest first.
func (t *Tracker) Links(issueID string) []tracker.Link {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.links[issueID])
}

// DeleteComment implements tracker.Tracker.
func (t *Tracker) DeleteComment(ctx context.Context, issueID, commentID string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.begin(ctx); err != nil {
		return err
	}
	i := slices.IndexFunc(t.comments[issueID], func(c issue.Comment) bool { return c.ID == commentID })
	if i < 0 {
		return tracker.Errorf(tracker.CodeCommentNotFound, "issue %s has no comment %s", issueID, commentID)
	}
	t.comments[issueID] = slices.Delete(t.comments[issueID], i, i+1)
	return nil
}

// ListSubIssues implements tracker.Tracker.
func (t *Tracker) ListSubIssues(ctx context.Context, issueID string) ([]tracker.IssueRef, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.known(ctx, issueID); err != nil {
		return nil, err
	}
	var out []tracker.IssueRef
	for _, is := range t.issues {
		if t.parents[is.ID] == issueID && len(out) < tracker.MaxRelated {
			out = append(out, t.ref(is.ID))
		}
	}
	return out, nil
}

// FetchParent implements tracker.Tracker.
func (t *Tracker) FetchParent(ctx context.Context, issueID string) (*tracker.IssueRef, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.known(ctx, issueID); err != nil {
		return nil, err
	}
	parent, ok := t.parents[issueID]
	if !ok || t.index(parent) < 0 {
		return nil, nil
	}
	ref := t.ref(parent)
	return &ref, nil
}

// ListRelations implements tracker.Tracker.
func (t *Tracker) ListRelations(ctx context.Context, issueID string) ([]tracker.Relation, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.known(ctx, issueID); err != nil {
		return nil, err
	}
	var out []tracker.Relation
	for _, outgoing := range []bool{true, false} {
		n := 0
		for _, r := range t.relations {
			self, other := r.from, r.to
			if !outgoing {
				self, other = r.to, r.from
			}
			if self != issueID || t.index(other) < 0 || n == tracker.MaxRelated {
				continue
			}
			n++
			out = append(out, tracker.Relation{Type: tracker.RelationType(r.kind, outgoing), Issue: t.ref(other)})
		}
	}
	return out, nil
}

// AttachURL implements tracker.Tracker.
func (t *Tracker) AttachURL(ctx context.Context, issueID, url, title string) (tracker.Link, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.known(ctx, issueID); err != nil {
		return tracker.Link{}, err
	}
	t.nextID++
	l := tracker.Link{ID: fmt.Sprintf("link-%d", t.nextID), URL: url, Title: title}
	t.links[issueID] = append(t.links[issueID], l)
	return l, nil
}

// AttachFile implements tracker.Tracker: the file is kept in memory under a mem:// URL and
// listed among the issue's links.
func (t *Tracker) AttachFile(ctx context.Context, issueID string, f tracker.FileUpload) (tracker.Link, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.known(ctx, issueID); err != nil {
		return tracker.Link{}, err
	}
	t.nextID++
	title := f.Title
	if title == "" {
		title = f.Name
	}
	l := tracker.Link{ID: fmt.Sprintf("link-%d", t.nextID), URL: fmt.Sprintf("mem://%s/files/%d/%s", issueID, t.nextID, f.Name), Title: title}
	t.links[issueID] = append(t.links[issueID], l)
	// The tracker keeps its own copy, so a caller reusing its buffer cannot change the file.
	f.Body = slices.Clone(f.Body)
	t.files[l.URL] = f
	return l, nil
}

// File returns the file attached under url.
func (t *Tracker) File(url string) (tracker.FileUpload, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.files[url]
	return f, ok
}

// known counts a call and checks that issueID exists (t.mu held).
func (t *Tracker) known(ctx context.Context, issueID string) error {
	if err := t.begin(ctx); err != nil {
		return err
	}
	if t.index(issueID) < 0 {
		return tracker.Errorf(tracker.CodeIssueNotFound, "memory tracker has no issue %s", issueID)
	}
	return nil
}

// ref summarises the stored issue with the given id (t.mu held; the id must exist).
func (t *Tracker) ref(id string) tracker.IssueRef {
	is := t.issues[t.index(id)]
	return tracker.IssueRef{ID: is.ID, Identifier: is.Identifier, Title: is.Title, State: is.State, URL: is.URL}
}
