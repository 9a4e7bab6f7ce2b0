package github

import (
	"context"
	"fmt"
	"slices"
	"strings"

	ghapi "github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

// UpdateIssueState moves an issue to a state (matched case-insensitively): Closed closes it,
// Open reopens it without a state label, and a configured state opens it carrying that
// state's label alone. Other labels stay. Labels and open/closed change in one request.
func (t *Tracker) UpdateIssueState(ctx context.Context, issueID, stateName string) error {
	repo, number, err := t.parseIdentifier(issueID)
	if err != nil {
		return err
	}
	target := strings.TrimSpace(stateName)
	ghState, label := ghapi.IssueOpen, ""
	switch {
	case strings.EqualFold(target, StateClosed):
		ghState = ghapi.IssueClosed
	case strings.EqualFold(target, StateOpen):
	default:
		i := slices.IndexFunc(t.states, func(s string) bool { return strings.EqualFold(s, target) })
		if i < 0 {
			return t.unknownState(issueID, stateName)
		}
		label = t.stateLabels[t.states[i]]
	}
	gi, err := t.client.Issue(ctx, repo, number)
	if err != nil {
		return trackerError(err, tracker.CodeIssueNotFound)
	}
	if gi.PullRequest {
		return tracker.Errorf(tracker.CodeIssueNotFound, "%s is a pull request, not an issue", issueID)
	}
	labels := slices.DeleteFunc(slices.Clone(gi.Labels), func(l string) bool {
		return slices.ContainsFunc(t.states, func(s string) bool { return strings.EqualFold(t.stateLabels[s], strings.TrimSpace(l)) })
	})
	if label != "" {
		labels = append(labels, label)
	}
	if _, err := t.client.SetIssueStateAndLabels(ctx, repo, number, ghState, labels); err != nil {
		return trackerError(err, tracker.CodeIssueNotFound)
	}
	return nil
}

// ListStates names the states an issue may move to: Open, the configured ones, Closed.
func (t *Tracker) ListStates(context.Context, string) ([]string, error) {
	return t.stateNames(), nil
}

// ListComments returns the issue's conversation comments, oldest first.
func (t *Tracker) ListComments(ctx context.Context, issueID string) ([]issue.Comment, error) {
	repo, number, err := t.parseIdentifier(issueID)
	if err != nil {
		return nil, err
	}
	got, err := t.client.IssueComments(ctx, repo, number, zeroTime)
	if err != nil {
		return nil, trackerError(err, tracker.CodeIssueNotFound)
	}
	out := make([]issue.Comment, 0, len(got))
	for _, c := range got {
		out = append(out, comment(c))
	}
	return out, nil
}

// CreateComment posts a conversation comment.
func (t *Tracker) CreateComment(ctx context.Context, issueID, body string) (issue.Comment, error) {
	repo, number, err := t.parseIdentifier(issueID)
	if err != nil {
		return issue.Comment{}, err
	}
	c, err := t.client.CreateIssueComment(ctx, repo, number, body)
	if err != nil {
		return issue.Comment{}, trackerError(err, tracker.CodeIssueNotFound)
	}
	return comment(c), nil
}

// UpdateComment replaces a comment's body. GitHub addresses comments by repository and id;
// the issue only names the repository.
func (t *Tracker) UpdateComment(ctx context.Context, issueID, commentID, body string) (issue.Comment, error) {
	repo, _, err := t.parseIdentifier(issueID)
	if err != nil {
		return issue.Comment{}, err
	}
	id, err := parseCommentID(commentID)
	if err != nil {
		return issue.Comment{}, err
	}
	c, err := t.client.EditIssueComment(ctx, repo, id, body)
	if err != nil {
		return issue.Comment{}, trackerError(err, tracker.CodeCommentNotFound)
	}
	return comment(c), nil
}

// DeleteComment removes a comment.
func (t *Tracker) DeleteComment(ctx context.Context, issueID, commentID string) error {
	repo, _, err := t.parseIdentifier(issueID)
	if err != nil {
		return err
	}
	id, err := parseCommentID(commentID)
	if err != nil {
		return err
	}
	return trackerError(t.client.DeleteIssueComment(ctx, repo, id), tracker.CodeCommentNotFound)
}

// AttachURL links a URL to the issue. GitHub issues have no link attachments, so the link is
// posted as a comment, whose id is the link's id.
func (t *Tracker) AttachURL(ctx context.Context, issueID, url, title string) (tracker.Link, error) {
	text := strings.TrimSpace(title)
	if text == "" {
		text = url
	}
	c, err := t.CreateComment(ctx, issueID, fmt.Sprintf("Linked: [%s](%s)", markdownLinkText(text), url))
	if err != nil {
		return tracker.Link{}, err
	}
	return tracker.Link{ID: c.ID, URL: url, Title: title}, nil
}

// AttachFile is refused: GitHub's API has no upload for issue attachments.
func (t *Tracker) AttachFile(_ context.Context, issueID string, f tracker.FileUpload) (tracker.Link, error) {
	return tracker.Link{}, tracker.Errorf(tracker.CodeUnsupportedOperation,
		"GitHub Issues cannot store file %q on %s: its API has no attachment upload; commit the file or link it with attach_url", f.Name, issueID)
}

// markdownLinkText escapes the characters that would end a Markdown link's text early.
func markdownLinkText(s string) string {
	return strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, "\n", " ").Replace(s)
}
