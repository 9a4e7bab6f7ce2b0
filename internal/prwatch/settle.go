package prwatch

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/symphony-go/symphony/internal/github"
)

// SkipFileName is the file in a workspace where the agent lists bot comments it chose not to
// act on ({"skip_comment_ids": [...]}); they get no reply. Human comments are always answered.
const SkipFileName = ".symphony-skip-comments.json"

// replyText is the threaded reply to an inline comment the rework run addressed.
const replyText = "Automated note from Symphony: this review comment was marked complete after the latest follow-up update. " +
	"Follow-up commit: `%s`. Please check the current diff; reply here if it still needs work."

// settleRework runs when the issue is back in the review state after a rework run: the
// cursor moves past the comments sent to the run only when the head advanced; otherwise
// they stay pending and the poller says so.
func (p *Pollers) settleRework(ctx context.Context, rec *reviewRecord, t target, gh GitHub, repo github.Repo, v reviewView) {
	rec.Phase = phaseWatching
	if len(rec.PendingComments) == 0 {
		return
	}
	head := v.PR.HeadSHA
	if head == "" || head == rec.PendingHeadSHA {
		p.log.Warn("review poller: the rework run did not push; its comments stay pending", "issue", rec.Identifier, "head", head)
		p.emit(pollerReview, &rec.watch, "rework_not_pushed", "head "+head)
		return
	}
	if p.d.Settings.ReplyAfter {
		p.reply(ctx, rec, gh, repo, v.PR, skipped(t.run.WorkspacePath))
	}
	newest := rec.PendingComments[0]
	for _, c := range rec.PendingComments {
		if c.CreatedAt.After(newest.CreatedAt) {
			newest = c
		}
	}
	rec.LastAddressedCommentID, rec.LastAddressedCommentAt = newest.ID, newest.CreatedAt
	if p.d.Settings.RequestReview {
		p.requestReview(ctx, rec, gh, repo, v.PR)
	}
	rec.AddressedSHA = head
	rec.PendingComments, rec.PendingHeadSHA = nil, ""
	p.emit(pollerReview, &rec.watch, "rework_pushed", "head "+head)
}

// reply answers each addressed inline comment in its thread and the conversation comments
// with one summary; bot comments the agent listed in the skip file get nothing.
func (p *Pollers) reply(ctx context.Context, rec *reviewRecord, gh GitHub, repo github.Repo, pr github.PullRequest, skip []string) {
	var summary []string
	for _, c := range rec.PendingComments {
		if slices.Contains(rec.RepliedIDs, c.ID) || (isBot(c.Author) && slices.Contains(skip, c.ID)) {
			continue
		}
		switch c.Kind {
		case kindInline:
			id, err := strconv.ParseInt(c.ID, 10, 64)
			if err != nil {
				continue
			}
			if _, err := gh.ReplyToReviewComment(ctx, repo, pr.Number, id, fmt.Sprintf(replyText, pr.HeadSHA)); err != nil {
				p.log.Warn("review poller: replying to an inline comment failed", "issue", rec.Identifier, "comment", c.ID, "error", err.Error())
				continue
			}
		default:
			summary = append(summary, "- "+c.URL)
		}
		rec.RepliedIDs = appendCapped(rec.RepliedIDs, c.ID, maxRepliedIDs)
	}
	if len(summary) == 0 {
		return
	}
	body := fmt.Sprintf("Automated note from Symphony: the follow-up commit `%s` addresses these comments:\n%s\nReply here if any still needs work.",
		pr.HeadSHA, strings.Join(summary, "\n"))
	if _, err := gh.CreateIssueComment(ctx, repo, pr.Number, body); err != nil {
		p.log.Warn("review poller: posting the summary reply failed", "issue", rec.Identifier, "error", err.Error())
	}
}

// requestReview asks the un-ignored commenters of the addressed feedback to review again.
func (p *Pollers) requestReview(ctx context.Context, rec *reviewRecord, gh GitHub, repo github.Repo, pr github.PullRequest) {
	ignored := p.ignored(pr)
	var logins []string
	for _, c := range rec.PendingComments {
		who := strings.ToLower(c.Author)
		if who != "" && !isBot(who) && !slices.Contains(ignored, who) && !slices.Contains(logins, who) {
			logins = append(logins, who)
		}
	}
	if len(logins) == 0 {
		return
	}
	if err := gh.RequestReviewers(ctx, repo, pr.Number, logins); err != nil {
		p.log.Warn("review poller: re-requesting review failed", "issue", rec.Identifier, "reviewers", logins, "error", err.Error())
	}
}

func isBot(login string) bool { return strings.HasSuffix(strings.ToLower(login), "[bot]") }

// skipped reads and removes the workspace's skip file; a missing or unreadable file skips
// nothing, so every comment is answered.
func skipped(workspace string) []string {
	if workspace == "" {
		return nil
	}
	path := filepath.Join(workspace, SkipFileName)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	_ = os.Remove(path)
	var f struct {
		IDs []json.RawMessage `json:"skip_comment_ids"`
	}
	if json.Unmarshal(data, &f) != nil {
		return nil
	}
	var out []string
	for _, raw := range f.IDs {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			out = append(out, s)
			continue
		}
		out = append(out, strings.TrimSpace(string(raw)))
	}
	return out
}
