package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/symphony-go/symphony/internal/github"
)

// maxPRTitle is the longest pull-request title, in characters, the tools accept.
const maxPRTitle = 256

func fetchOrigin(ctx context.Context, h *Host, _ args) (any, *toolError) {
	out, err := h.github.Origin.Fetch(ctx, h.github.Token)
	if err != nil {
		return nil, h.gitFailure(err)
	}
	return map[string]any{"fetched": h.github.Origin.Repo.FullName(), "output": h.opts.Scanner.Redact(out)}, nil
}

func pushBranch(ctx context.Context, h *Host, _ args) (any, *toolError) {
	gs := h.github
	if _, err := gs.Origin.Verify(ctx); err != nil {
		return nil, h.gitFailure(err)
	}
	if terr := h.holdNewDependencies(ctx); terr != nil {
		return nil, terr
	}
	branch, err := gs.Origin.Push(ctx, gs.Token)
	if err != nil {
		return nil, h.gitFailure(err)
	}
	sha, err := gs.Origin.HeadSHA(ctx)
	if err != nil {
		return nil, h.gitFailure(err)
	}
	return map[string]any{"pushed": true, "branch": branch, "head_sha": sha, "repository": gs.Origin.Repo.FullName()}, nil
}

// baseBranch is the branch pull requests target: the configured one or the repository's default.
func (h *Host) baseBranch(ctx context.Context) (string, *toolError) {
	if h.github.BaseBranch != "" {
		return h.github.BaseBranch, nil
	}
	repo, err := h.github.Client.Repository(ctx, h.github.Origin.Repo)
	if err != nil {
		return "", githubFailure("reading the default branch of "+h.github.Origin.Repo.FullName(), err)
	}
	return repo.DefaultBranch, nil
}

// holdNewDependencies asks the dependency gate about the change from the base branch to HEAD
// and refuses while it adds a source an operator has not approved.
func (h *Host) holdNewDependencies(ctx context.Context) *toolError {
	gate := h.github.Dependencies
	if gate == nil {
		return nil
	}
	base, terr := h.baseBranch(ctx)
	if terr != nil {
		return terr
	}
	held, err := gate.Held(ctx, h.github.Origin.Workspace, "refs/remotes/origin/"+base, "HEAD")
	if err != nil {
		return fail(CodeDependencyAuditFailed, "the dependency audit could not check the change: %v; nothing was pushed", err)
	}
	if len(held) == 0 {
		return nil
	}
	e := fail(CodeDependencyPendingApproval, "the change adds dependency sources outside dependency_audit's allow-lists (%s); an operator must approve them (symphony approve-deps %s) before it can leave the workspace",
		strings.Join(held, ", "), h.opts.Issue.Identifier)
	e.Details = map[string]any{"sources": held}
	return e
}

// githubText is a title or body the agent wrote for GitHub: non-blank and free of credentials.
func (h *Host) githubText(ctx context.Context, toolName, field string, a args) (string, *toolError) {
	text := a.str(field)
	if strings.TrimSpace(text) == "" {
		return "", fail(CodeInvalidBody, "%s must not be blank", field)
	}
	if terr := h.refuseSecrets(ctx, PrefixGitHub+toolName, field, text); terr != nil {
		return "", terr
	}
	return text, nil
}

func createPullRequest(ctx context.Context, h *Host, a args) (any, *toolError) {
	gs := h.github
	title, terr := h.githubText(ctx, "create_pull_request", "title", a)
	if terr != nil {
		return nil, terr
	}
	title = strings.Join(strings.Fields(title), " ")
	if n := utf8.RuneCountInString(title); n > maxPRTitle {
		e := fail(CodeTitleTooLong, "title is %d characters; at most %d are allowed", n, maxPRTitle)
		e.Details = map[string]any{"length": n, "max_length": maxPRTitle}
		return nil, e
	}
	body, terr := h.githubText(ctx, "create_pull_request", "body", a)
	if terr != nil {
		return nil, terr
	}
	branch, err := gs.Origin.Verify(ctx)
	if err != nil {
		return nil, h.gitFailure(err)
	}
	existing, err := gs.Client.PullRequestForBranch(ctx, gs.Origin.Repo, branch)
	var ge *github.Error
	if err != nil && !(errors.As(err, &ge) && ge.Code == github.CodeNotFound) {
		return nil, githubFailure("looking up the pull request of "+branch, err)
	}
	if err == nil && existing.State == github.PullRequestOpen {
		e := fail(CodePullRequestExists, "%s already has an open pull request: %s; update it instead", branch, existing.URL)
		e.Details = map[string]any{"url": existing.URL, "number": existing.Number}
		return nil, e
	}
	if terr := h.holdNewDependencies(ctx); terr != nil {
		return nil, terr
	}
	base, terr := h.baseBranch(ctx)
	if terr != nil {
		return nil, terr
	}
	draft := gs.Draft
	if v, ok := a["draft"].(bool); ok {
		draft = v
	}
	pr, err := gs.Client.CreatePullRequest(ctx, gs.Origin.Repo, github.NewPullRequest{Title: title, Body: body, Head: branch, Base: base, Draft: draft})
	if err != nil {
		return nil, githubFailure("opening the pull request from "+branch, err)
	}
	out := map[string]any{"number": pr.Number, "url": pr.URL, "draft": pr.Draft, "head": branch, "base": base}
	for key, value := range h.handOff(ctx, pr) {
		out[key] = value
	}
	return out, nil
}

// handOff attaches the new pull request to the issue and records it on the run. Both are
// best effort: the pull request exists either way, and the model is told what did not happen.
func (h *Host) handOff(ctx context.Context, pr github.PullRequest) map[string]any {
	out := map[string]any{"attached_to_issue": false, "recorded_on_run": false}
	if _, err := h.opts.Tracker.AttachURL(ctx, h.opts.Issue.ID, pr.URL, fmt.Sprintf("Pull request #%d", pr.Number)); err != nil {
		h.opts.Logger.Warn("pull request not attached to the issue", "pr_url", pr.URL, "error", err.Error())
		out["attach_error"] = err.Error()
	} else {
		out["attached_to_issue"] = true
	}
	if h.github.Runs != nil && h.opts.RunID != "" {
		if err := h.github.Runs.RecordPullRequest(ctx, h.opts.Issue.RepoKey, h.opts.RunID, pr.URL); err != nil {
			h.opts.Logger.Warn("pull request not recorded on the run", "pr_url", pr.URL, "error", err.Error())
		} else {
			out["recorded_on_run"] = true
		}
	}
	h.opts.Logger.Info("pull request opened", "pr_url", pr.URL, "pr_number", pr.Number, "draft", pr.Draft)
	return out
}

func updatePullRequestBody(ctx context.Context, h *Host, a args) (any, *toolError) {
	body, terr := h.githubText(ctx, "update_pull_request_body", "body", a)
	if terr != nil {
		return nil, terr
	}
	pr, terr := h.sessionPullRequest(ctx)
	if terr != nil {
		return nil, terr
	}
	if _, err := h.github.Client.EditPullRequest(ctx, h.github.Origin.Repo, pr.Number, github.PullRequestEdit{Body: &body}); err != nil {
		return nil, githubFailure("updating the description of "+pr.URL, err)
	}
	return map[string]any{"url": pr.URL, "body_length": len(body)}, nil
}

func addPRComment(ctx context.Context, h *Host, a args) (any, *toolError) {
	body, terr := h.githubText(ctx, "add_pr_comment", "body", a)
	if terr != nil {
		return nil, terr
	}
	pr, terr := h.sessionPullRequest(ctx)
	if terr != nil {
		return nil, terr
	}
	c, err := h.github.Client.CreateIssueComment(ctx, h.github.Origin.Repo, pr.Number, body)
	if err != nil {
		return nil, githubFailure("commenting on "+pr.URL, err)
	}
	return map[string]any{"id": c.ID, "url": c.URL, "body_length": len(body)}, nil
}

func replyToReviewComment(ctx context.Context, h *Host, a args) (any, *toolError) {
	id := a.integer("comment_id", 0)
	if id <= 0 {
		return nil, fail(CodeInvalidCommentID, "comment_id must be a positive review comment id")
	}
	body, terr := h.githubText(ctx, "reply_to_review_comment", "body", a)
	if terr != nil {
		return nil, terr
	}
	pr, terr := h.sessionPullRequest(ctx)
	if terr != nil {
		return nil, terr
	}
	c, err := h.github.Client.ReplyToReviewComment(ctx, h.github.Origin.Repo, pr.Number, id, body)
	if err != nil {
		return nil, githubFailure(fmt.Sprintf("replying to review comment %d on %s", id, pr.URL), err)
	}
	return map[string]any{"pr_url": pr.URL, "comment_id": id, "reply_id": c.ID, "url": c.URL}, nil
}

func rerunFailedJobs(ctx context.Context, h *Host, _ args) (any, *toolError) {
	pr, failed, terr := h.failedRuns(ctx)
	if terr != nil {
		return nil, terr
	}
	var ids []int64
	for _, r := range failed {
		if err := h.github.Client.RerunFailedJobs(ctx, h.github.Origin.Repo, r.ID); err != nil {
			return nil, githubFailure(fmt.Sprintf("re-running the failed jobs of run %d", r.ID), err)
		}
		ids = append(ids, r.ID)
	}
	return map[string]any{"pr_url": pr.URL, "rerun_run_ids": ids}, nil
}
