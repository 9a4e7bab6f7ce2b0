package gitlab

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

// UpdateIssueState closes the issue (Closed), reopens it without a state label (Open), or
// opens it carrying only the configured state's label, in one request.
func (t *Tracker) UpdateIssueState(ctx context.Context, issueID, stateName string) error {
	iid, err := t.parseIdentifier(issueID)
	if err != nil {
		return err
	}
	target := strings.TrimSpace(stateName)
	event, label := "reopen", ""
	switch {
	case strings.EqualFold(target, StateClosed):
		event = "close"
	case strings.EqualFold(target, StateOpen):
	default:
		i := slices.IndexFunc(t.states, func(s string) bool { return strings.EqualFold(s, target) })
		if i < 0 {
			return tracker.Errorf(tracker.CodeStateNotFound, "GitLab issue %s cannot move to %q: the states are %s (set issues.gitlab.state_labels for more)",
				issueID, stateName, strings.Join(t.stateNames(), ", "))
		}
		label = t.stateLabels[t.states[i]]
	}
	remove := gl.LabelOptions{}
	for _, s := range t.states {
		if t.stateLabels[s] != label {
			remove = append(remove, t.stateLabels[s])
		}
	}
	opts := &gl.UpdateIssueOptions{StateEvent: &event, RemoveLabels: &remove}
	if label != "" {
		opts.AddLabels = &gl.LabelOptions{label}
	}
	return t.call("update issue "+issueID, tracker.CodeIssueNotFound, func() (*gl.Response, error) {
		_, resp, err := t.client.Issues.UpdateIssue(t.project, iid, opts, gl.WithContext(ctx))
		return resp, err
	})
}

func (t *Tracker) stateNames() []string {
	return append(append([]string{StateOpen}, t.states...), StateClosed)
}

// ListStates names Open, the configured states, and Closed.
func (t *Tracker) ListStates(context.Context, string) ([]string, error) { return t.stateNames(), nil }

func note(n *gl.Note) issue.Comment {
	return issue.Comment{ID: strconv.FormatInt(n.ID, 10), Body: n.Body, Author: n.Author.Username, AuthorID: n.Author.Username, CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt}
}

// ListComments returns the issue's notes oldest first, without system notes (label and state
// changes GitLab records as notes).
func (t *Tracker) ListComments(ctx context.Context, issueID string) ([]issue.Comment, error) {
	iid, err := t.parseIdentifier(issueID)
	if err != nil {
		return nil, err
	}
	opts := &gl.ListIssueNotesOptions{OrderBy: new("created_at"), Sort: new("asc"), ListOptions: gl.ListOptions{PerPage: pageSize, Page: 1}}
	var out []issue.Comment
	for range maxPages {
		var page []*gl.Note
		var next int64
		err := t.call("list notes of "+issueID, tracker.CodeIssueNotFound, func() (*gl.Response, error) {
			got, resp, err := t.client.Notes.ListIssueNotes(t.project, iid, opts, gl.WithContext(ctx))
			page = got
			if resp != nil {
				next = resp.NextPage
			}
			return resp, err
		})
		if err != nil {
			return nil, err
		}
		for _, n := range page {
			if n != nil && !n.System {
				out = append(out, note(n))
			}
		}
		if next <= opts.Page {
			return out, nil
		}
		opts.Page = next
	}
	return nil, tracker.Errorf(tracker.CodeTrackerResponse, "GitLab notes of %s: more than %d pages", issueID, maxPages)
}

// CreateComment adds a note.
func (t *Tracker) CreateComment(ctx context.Context, issueID, body string) (issue.Comment, error) {
	iid, err := t.parseIdentifier(issueID)
	if err != nil {
		return issue.Comment{}, err
	}
	var n *gl.Note
	err = t.call("comment on "+issueID, tracker.CodeIssueNotFound, func() (resp *gl.Response, err error) {
		n, resp, err = t.client.Notes.CreateIssueNote(t.project, iid, &gl.CreateIssueNoteOptions{Body: &body}, gl.WithContext(ctx))
		return resp, err
	})
	if err != nil {
		return issue.Comment{}, err
	}
	return note(n), nil
}

func (t *Tracker) noteIDs(issueID, commentID string) (int64, int64, error) {
	iid, err := t.parseIdentifier(issueID)
	if err != nil {
		return 0, 0, err
	}
	id, err := strconv.ParseInt(strings.TrimSpace(commentID), 10, 64)
	if err != nil || id <= 0 {
		return 0, 0, tracker.Errorf(tracker.CodeCommentNotFound, "%q is not a GitLab note id", commentID)
	}
	return iid, id, nil
}

// UpdateComment replaces a note's body.
func (t *Tracker) UpdateComment(ctx context.Context, issueID, commentID, body string) (issue.Comment, error) {
	iid, id, err := t.noteIDs(issueID, commentID)
	if err != nil {
		return issue.Comment{}, err
	}
	var n *gl.Note
	err = t.call("edit note "+commentID, tracker.CodeCommentNotFound, func() (resp *gl.Response, err error) {
		n, resp, err = t.client.Notes.UpdateIssueNote(t.project, iid, id, &gl.UpdateIssueNoteOptions{Body: &body}, gl.WithContext(ctx))
		return resp, err
	})
	if err != nil {
		return issue.Comment{}, err
	}
	return note(n), nil
}

// DeleteComment removes a note.
func (t *Tracker) DeleteComment(ctx context.Context, issueID, commentID string) error {
	iid, id, err := t.noteIDs(issueID, commentID)
	if err != nil {
		return err
	}
	return t.call("delete note "+commentID, tracker.CodeCommentNotFound, func() (*gl.Response, error) {
		return t.client.Notes.DeleteIssueNote(t.project, iid, id, gl.WithContext(ctx))
	})
}

// AttachURL posts the link as a note, whose id is the link's id: GitLab issues have no link
// attachments outside issue links between issues.
func (t *Tracker) AttachURL(ctx context.Context, issueID, url, title string) (tracker.Link, error) {
	text := strings.TrimSpace(title)
	if text == "" {
		text = url
	}
	text = markdownText(text)
	c, err := t.CreateComment(ctx, issueID, fmt.Sprintf("Linked: [%s](%s)", text, url))
	if err != nil {
		return tracker.Link{}, err
	}
	return tracker.Link{ID: c.ID, URL: url, Title: title}, nil
}

// AttachFile uploads the file to the project's uploads and posts a note linking it, which is
// how GitLab attaches files to issues; the note's id is the link's id. GitLab serves uploads of
// private projects only to signed-in members, so a public link is refused.
func (t *Tracker) AttachFile(ctx context.Context, issueID string, f tracker.FileUpload) (tracker.Link, error) {
	if f.Public {
		return tracker.Link{}, tracker.Errorf(tracker.CodeUnsupportedOperation,
			"GitLab cannot give file %q on %s a public link: project uploads follow the project's visibility; attach it without public", f.Name, issueID)
	}
	iid, err := t.parseIdentifier(issueID)
	if err != nil {
		return tracker.Link{}, err
	}
	// An upload belongs to the project, not the issue: check the issue first so a wrong iid
	// leaves no orphaned file behind.
	if _, err := t.get(ctx, iid); err != nil {
		return tracker.Link{}, err
	}
	var up *gl.ProjectMarkdownUploadedFile
	err = t.call("upload "+f.Name, "", func() (resp *gl.Response, err error) {
		up, resp, err = t.client.ProjectMarkdownUploads.UploadProjectMarkdown(t.project, bytes.NewReader(f.Body), f.Name, gl.WithContext(ctx))
		return resp, err
	})
	if err != nil {
		return tracker.Link{}, err
	}
	if up == nil || up.FullPath == "" || up.Markdown == "" {
		return tracker.Link{}, tracker.Errorf(tracker.CodeTrackerResponse, "GitLab upload of %q: the answer has no full_path or markdown", f.Name)
	}
	title := strings.TrimSpace(f.Title)
	if title == "" {
		title = f.Name
	}
	c, err := t.CreateComment(ctx, issueID, fmt.Sprintf("Attached %s: %s", markdownText(title), up.Markdown))
	if err != nil {
		return tracker.Link{}, err
	}
	return tracker.Link{ID: c.ID, URL: t.instance + up.FullPath, Title: title}, nil
}

// markdownText escapes the characters that would start Markdown markup in a note's text.
func markdownText(s string) string {
	return strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, "\n", " ").Replace(s)
}

// ListSubIssues is refused: GitLab's child items are tasks and epics (work items), which this
// tracker does not read.
func (t *Tracker) ListSubIssues(_ context.Context, issueID string) ([]tracker.IssueRef, error) {
	return nil, tracker.Errorf(tracker.CodeUnsupportedOperation, "the GitLab tracker does not read child items of %s (GitLab tasks and epics)", issueID)
}

// FetchParent is refused for the same reason as ListSubIssues.
func (t *Tracker) FetchParent(_ context.Context, issueID string) (*tracker.IssueRef, error) {
	return nil, tracker.Errorf(tracker.CodeUnsupportedOperation, "the GitLab tracker does not read the parent of %s (GitLab epics)", issueID)
}
