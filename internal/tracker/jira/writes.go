package jira

import (
	"bytes"
	"context"
	"encoding/json"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

type transition struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	To   struct {
		Name string `json:"name"`
	} `json:"to"`
}

func (c *Client) transitions(ctx context.Context, issueID string) ([]transition, error) {
	var out struct {
		Transitions []transition `json:"transitions"`
	}
	if err := c.do(ctx, http.MethodGet, issuePath(issueID, "/transitions"), nil, &out, tracker.CodeIssueNotFound); err != nil {
		return nil, err
	}
	return out.Transitions, nil
}

// UpdateIssueState runs the workflow transition that leads to the status named stateName
// (matched case-insensitively; a transition's own name is accepted too). When none does, the
// error lists the transitions the issue offers.
func (c *Client) UpdateIssueState(ctx context.Context, issueID, stateName string) error {
	ts, err := c.transitions(ctx, issueID)
	if err != nil {
		return err
	}
	target := strings.TrimSpace(stateName)
	var chosen *transition
	for i := range ts {
		if strings.EqualFold(ts[i].To.Name, target) {
			chosen = &ts[i]
			break
		}
	}
	for i := range ts {
		if chosen == nil && strings.EqualFold(ts[i].Name, target) {
			chosen = &ts[i]
		}
	}
	if chosen == nil {
		available := make([]string, 0, len(ts))
		for _, t := range ts {
			available = append(available, strconv.Quote(t.Name)+" -> "+strconv.Quote(t.To.Name))
		}
		list := strings.Join(available, ", ")
		if list == "" {
			list = "none"
		}
		return tracker.Errorf(tracker.CodeStateNotFound, "Jira issue %s has no transition to status %q; available transitions: %s", issueID, stateName, list)
	}
	body := map[string]any{"transition": map[string]string{"id": chosen.ID}}
	return c.do(ctx, http.MethodPost, issuePath(issueID, "/transitions"), body, nil, tracker.CodeIssueNotFound)
}

// ListStates names the statuses the issue's transitions lead to.
func (c *Client) ListStates(ctx context.Context, issueID string) ([]string, error) {
	ts, err := c.transitions(ctx, issueID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range ts {
		out = append(out, t.To.Name)
	}
	return tracker.NonEmpty(out), nil
}

type jiraComment struct {
	ID     string `json:"id"`
	Author *struct {
		AccountID   string `json:"accountId"`
		DisplayName string `json:"displayName"`
	} `json:"author"`
	Body    json.RawMessage `json:"body"`
	Created string          `json:"created"`
	Updated string          `json:"updated"`
}

func (j jiraComment) normalize() issue.Comment {
	out := issue.Comment{ID: j.ID, Body: adfToText(j.Body), CreatedAt: jiraTime(j.Created), UpdatedAt: jiraTime(j.Updated)}
	if j.Author != nil {
		out.Author, out.AuthorID = j.Author.DisplayName, j.Author.AccountID
	}
	return out
}

// ListComments returns every comment, oldest first.
func (c *Client) ListComments(ctx context.Context, issueID string) ([]issue.Comment, error) {
	var out []issue.Comment
	for start := 0; ; {
		var page struct {
			StartAt  int           `json:"startAt"`
			Total    int           `json:"total"`
			Comments []jiraComment `json:"comments"`
		}
		path := issuePath(issueID, "/comment?orderBy=created&maxResults="+itoa(pageSize)+"&startAt="+itoa(start))
		if err := c.do(ctx, http.MethodGet, path, nil, &page, tracker.CodeIssueNotFound); err != nil {
			return nil, err
		}
		for _, cm := range page.Comments {
			out = append(out, cm.normalize())
		}
		start += len(page.Comments)
		if len(page.Comments) == 0 || start >= page.Total {
			return out, nil
		}
		if start >= pageSize*maxPages {
			return nil, tracker.Errorf(tracker.CodeTrackerResponse, "Jira comments of %s: more than %d pages", issueID, maxPages)
		}
	}
}

// CreateComment posts a comment, converting the text to Atlassian Document Format.
func (c *Client) CreateComment(ctx context.Context, issueID, body string) (issue.Comment, error) {
	var out jiraComment
	if err := c.do(ctx, http.MethodPost, issuePath(issueID, "/comment"), map[string]any{"body": textToADF(body)}, &out, tracker.CodeIssueNotFound); err != nil {
		return issue.Comment{}, err
	}
	return out.normalize(), nil
}

// UpdateComment replaces a comment's body.
func (c *Client) UpdateComment(ctx context.Context, issueID, commentID, body string) (issue.Comment, error) {
	var out jiraComment
	path := issuePath(issueID, "/comment/"+urlPathEscape(commentID))
	if err := c.do(ctx, http.MethodPut, path, map[string]any{"body": textToADF(body)}, &out, tracker.CodeCommentNotFound); err != nil {
		return issue.Comment{}, err
	}
	return out.normalize(), nil
}

// DeleteComment removes a comment.
func (c *Client) DeleteComment(ctx context.Context, issueID, commentID string) error {
	return c.do(ctx, http.MethodDelete, issuePath(issueID, "/comment/"+urlPathEscape(commentID)), nil, nil, tracker.CodeCommentNotFound)
}

// AttachURL adds a remote link (Jira's "web link") to the issue.
func (c *Client) AttachURL(ctx context.Context, issueID, url, title string) (tracker.Link, error) {
	if strings.TrimSpace(title) == "" {
		title = url
	}
	var out struct {
		ID int64 `json:"id"`
	}
	body := map[string]any{"object": map[string]string{"url": url, "title": title}}
	if err := c.do(ctx, http.MethodPost, issuePath(issueID, "/remotelink"), body, &out, tracker.CodeIssueNotFound); err != nil {
		return tracker.Link{}, err
	}
	return tracker.Link{ID: strconv.FormatInt(out.ID, 10), URL: url, Title: title}, nil
}

// AttachFile uploads the file as a Jira attachment of the issue (a multipart POST carrying
// X-Atlassian-Token: no-check, without which Jira refuses the upload as a possible XSRF) and
// returns the attachment's content URL. Jira shows attachments only to people who can see the
// issue, so a public link is refused.
func (c *Client) AttachFile(ctx context.Context, issueID string, f tracker.FileUpload) (tracker.Link, error) {
	if f.Public {
		return tracker.Link{}, tracker.Errorf(tracker.CodeUnsupportedOperation,
			"Jira cannot give file %q on %s a public link: its attachments are visible only to people who can see the issue; attach it without public", f.Name, issueID)
	}
	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	part, err := form.CreatePart(textproto.MIMEHeader{
		"Content-Disposition": {mime.FormatMediaType("form-data", map[string]string{"name": "file", "filename": f.Name})},
		"Content-Type":        {contentTypeOr(f.ContentType)},
	})
	if err == nil {
		_, err = part.Write(f.Body)
	}
	if err == nil {
		err = form.Close()
	}
	if err != nil {
		return tracker.Link{}, tracker.Errorf(tracker.CodeTrackerRequest, "Jira attachment %q: encode the upload: %w", f.Name, err)
	}
	var stored []struct {
		ID       string `json:"id"`
		Filename string `json:"filename"`
		Content  string `json:"content"`
	}
	header := http.Header{"Content-Type": {form.FormDataContentType()}, "X-Atlassian-Token": {"no-check"}}
	if err := c.send(ctx, http.MethodPost, issuePath(issueID, "/attachments"), body.Bytes(), header, &stored, tracker.CodeIssueNotFound); err != nil {
		return tracker.Link{}, err
	}
	if len(stored) != 1 || stored[0].ID == "" || stored[0].Content == "" {
		return tracker.Link{}, tracker.Errorf(tracker.CodeTrackerResponse, "Jira attachment %q on %s: want one stored attachment with an id and a content URL, got %d", f.Name, issueID, len(stored))
	}
	title := f.Title
	if title == "" {
		title = stored[0].Filename
	}
	return tracker.Link{ID: stored[0].ID, URL: stored[0].Content, Title: title}, nil
}

func contentTypeOr(ct string) string {
	if strings.TrimSpace(ct) == "" {
		return "application/octet-stream"
	}
	return ct
}

// ListSubIssues returns the issue's subtasks, at most MaxRelated.
func (c *Client) ListSubIssues(ctx context.Context, issueID string) ([]tracker.IssueRef, error) {
	j, err := c.getIssue(ctx, issueID)
	if err != nil {
		return nil, err
	}
	out := []tracker.IssueRef{}
	for _, s := range j.Fields.Subtasks[:min(len(j.Fields.Subtasks), tracker.MaxRelated)] {
		out = append(out, c.ref(s))
	}
	return out, nil
}

// FetchParent returns the issue's parent, or nil.
func (c *Client) FetchParent(ctx context.Context, issueID string) (*tracker.IssueRef, error) {
	j, err := c.getIssue(ctx, issueID)
	if err != nil || j.Fields.Parent == nil {
		return nil, err
	}
	ref := c.ref(*j.Fields.Parent)
	return &ref, nil
}

// ListRelations returns the issue links typed from this issue's side: Blocks links as blocks
// or blocked_by, Duplicate links as duplicate_of or duplicated_by, any other link as related.
func (c *Client) ListRelations(ctx context.Context, issueID string) ([]tracker.Relation, error) {
	j, err := c.getIssue(ctx, issueID)
	if err != nil {
		return nil, err
	}
	out := []tracker.Relation{}
	counts := map[bool]int{}
	for _, l := range j.Fields.IssueLinks {
		outgoing := l.OutwardIssue != nil
		other := l.OutwardIssue
		if !outgoing {
			other = l.InwardIssue
		}
		if other == nil || counts[outgoing] >= tracker.MaxRelated {
			continue
		}
		counts[outgoing]++
		kind := "related"
		switch strings.ToLower(l.Type.Name) {
		case "blocks":
			kind = "blocks"
		case "duplicate":
			kind = "duplicate"
		}
		out = append(out, tracker.Relation{Type: tracker.RelationType(kind, outgoing), Issue: c.ref(*other)})
	}
	return out, nil
}
