package tools

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/gitremote"
	"github.com/symphony-go/symphony/internal/prompt"
)

// Boundary tags of the GitHub text the tools return that the prompt package has no field for.
var (
	fieldPRComment = prompt.Field{Tag: "github_pr_comment_body", Limit: 5_000}
	fieldReview    = prompt.Field{Tag: "github_review_body", Limit: 5_000}
	fieldCheckName = prompt.Field{Tag: "github_check_name", Limit: 200}
)

// failedConclusions are the run conclusions that count as failed.
var failedConclusions = []string{"action_required", "cancelled", "failure", "startup_failure", "timed_out"}

// failedLogLines is how many final lines of each failed job's log are read before the byte cap.
const failedLogLines = 5000

// sessionPullRequest finds the pull request of the session's branch.
func (h *Host) sessionPullRequest(ctx context.Context) (github.PullRequest, *toolError) {
	gs := h.github
	if gs.Origin.Branch == "" {
		return github.PullRequest{}, fail(gitremote.CodeDetachedHead, "the session started on a detached HEAD, so it has no branch and no pull request")
	}
	pr, err := gs.Client.PullRequestForBranch(ctx, gs.Origin.Repo, gs.Origin.Branch)
	var ge *github.Error
	if errors.As(err, &ge) && ge.Code == github.CodeNotFound {
		e := fail(CodeNoPullRequest, "%s has no pull request for branch %s yet; push and call %screate_pull_request", gs.Origin.Repo.FullName(), gs.Origin.Branch, PrefixGitHub)
		e.Details = map[string]any{"branch": gs.Origin.Branch}
		return github.PullRequest{}, e
	}
	if err != nil {
		return github.PullRequest{}, githubFailure("looking up the pull request of "+gs.Origin.Branch, err)
	}
	return pr, nil
}

// untrusted wraps GitHub text in its boundary tag after redacting credentials.
func (h *Host) untrusted(f prompt.Field, text string) string {
	return prompt.Wrap(f, h.opts.Scanner.Redact(text)).Text
}

func getPullRequest(ctx context.Context, h *Host, _ args) (any, *toolError) {
	pr, terr := h.sessionPullRequest(ctx)
	if terr != nil {
		return nil, terr
	}
	return map[string]any{
		"number":   pr.Number,
		"url":      pr.URL,
		"state":    prompt.Inline(pr.State).Text,
		"draft":    pr.Draft,
		"title":    h.untrusted(prompt.FieldPRTitle, pr.Title),
		"body":     h.untrusted(prompt.FieldPRBody, pr.Body),
		"author":   prompt.Inline(pr.Author).Text,
		"head_ref": prompt.Inline(pr.HeadRef).Text,
		"head_sha": pr.HeadSHA,
		"base_ref": prompt.Inline(pr.BaseRef).Text,
	}, nil
}

func getPRChecks(ctx context.Context, h *Host, _ args) (any, *toolError) {
	pr, terr := h.sessionPullRequest(ctx)
	if terr != nil {
		return nil, terr
	}
	repo := h.github.Origin.Repo
	runs, err := h.github.Client.CheckRuns(ctx, repo, pr.HeadSHA)
	if err != nil {
		return nil, githubFailure("reading the check runs of "+pr.URL, err)
	}
	status, err := h.github.Client.CombinedStatus(ctx, repo, pr.HeadSHA)
	if err != nil {
		return nil, githubFailure("reading the commit statuses of "+pr.URL, err)
	}
	workflows, err := h.github.Client.WorkflowRuns(ctx, repo, pr.HeadSHA)
	if err != nil {
		return nil, githubFailure("reading the workflow runs of "+pr.URL, err)
	}
	checks := make([]map[string]any, 0, len(runs)+len(status.Contexts))
	for _, c := range runs {
		checks = append(checks, map[string]any{"name": h.untrusted(fieldCheckName, c.Name), "kind": "check_run",
			"status": prompt.Inline(c.Status).Text, "conclusion": prompt.Inline(c.Conclusion).Text, "details_url": prompt.Inline(c.DetailsURL).Text})
	}
	for _, c := range status.Contexts {
		checks = append(checks, map[string]any{"name": h.untrusted(fieldCheckName, c.Context), "kind": "status",
			"state": prompt.Inline(c.State).Text, "details_url": prompt.Inline(c.TargetURL).Text})
	}
	runsOut := make([]map[string]any, 0, len(workflows))
	for _, w := range workflows {
		runsOut = append(runsOut, map[string]any{"run_id": w.ID, "workflow_name": h.untrusted(fieldCheckName, w.Name),
			"status": prompt.Inline(w.Status).Text, "conclusion": prompt.Inline(w.Conclusion).Text, "url": prompt.Inline(w.URL).Text})
	}
	return map[string]any{"pr_url": pr.URL, "head_ref_name": prompt.Inline(pr.HeadRef).Text, "commit_sha": pr.HeadSHA,
		"checks": checks, "workflow_runs": runsOut}, nil
}

// comment is the common shape of the three kinds of pull-request comment the tools list.
type comment struct {
	id         int64
	author     string
	body       string
	url        string
	path       string
	line       int
	state      string
	createdAt  time.Time
	inReplyTo  int64
	reviewedAt time.Time
}

func (h *Host) commentOutput(f prompt.Field, c comment) map[string]any {
	entry := map[string]any{"id": c.id, "author": prompt.Inline(c.author).Text, "body": h.untrusted(f, c.body), "url": c.url}
	if c.path != "" {
		entry["path"], entry["line"] = prompt.Inline(c.path).Text, c.line
	}
	if c.inReplyTo != 0 {
		entry["in_reply_to_id"] = c.inReplyTo
	}
	if c.state != "" {
		entry["state"] = prompt.Inline(c.state).Text
	}
	if !c.createdAt.IsZero() {
		entry["created_at"] = c.createdAt.UTC().Format(time.RFC3339)
	}
	if !c.reviewedAt.IsZero() {
		entry["submitted_at"] = c.reviewedAt.UTC().Format(time.RFC3339)
	}
	return entry
}

func listPRComments(ctx context.Context, h *Host, _ args) (any, *toolError) {
	pr, terr := h.sessionPullRequest(ctx)
	if terr != nil {
		return nil, terr
	}
	list, err := h.github.Client.IssueComments(ctx, h.github.Origin.Repo, pr.Number, time.Time{})
	if err != nil {
		return nil, githubFailure("reading the comments of "+pr.URL, err)
	}
	out := make([]map[string]any, 0, len(list))
	for _, c := range list {
		out = append(out, h.commentOutput(fieldPRComment, comment{id: c.ID, author: c.Author, body: c.Body, url: c.URL, createdAt: c.CreatedAt}))
	}
	return map[string]any{"pr_url": pr.URL, "comments": out}, nil
}

func listPRReviewComments(ctx context.Context, h *Host, _ args) (any, *toolError) {
	pr, terr := h.sessionPullRequest(ctx)
	if terr != nil {
		return nil, terr
	}
	list, err := h.github.Client.ReviewComments(ctx, h.github.Origin.Repo, pr.Number)
	if err != nil {
		return nil, githubFailure("reading the review comments of "+pr.URL, err)
	}
	out := make([]map[string]any, 0, len(list))
	for _, c := range list {
		out = append(out, h.commentOutput(prompt.FieldReviewComment, comment{id: c.ID, author: c.Author, body: c.Body, url: c.URL,
			path: c.Path, line: c.Line, inReplyTo: c.InReplyTo, createdAt: c.CreatedAt}))
	}
	return map[string]any{"pr_url": pr.URL, "review_comments": out}, nil
}

func listPRReviews(ctx context.Context, h *Host, _ args) (any, *toolError) {
	pr, terr := h.sessionPullRequest(ctx)
	if terr != nil {
		return nil, terr
	}
	list, err := h.github.Client.Reviews(ctx, h.github.Origin.Repo, pr.Number)
	if err != nil {
		return nil, githubFailure("reading the reviews of "+pr.URL, err)
	}
	out := make([]map[string]any, 0, len(list))
	for _, r := range list {
		out = append(out, h.commentOutput(fieldReview, comment{id: r.ID, author: r.Author, body: r.Body, url: r.URL, state: r.State, reviewedAt: r.SubmittedAt}))
	}
	return map[string]any{"pr_url": pr.URL, "reviews": out}, nil
}

// failedRuns are the pull request head's GitHub Actions runs that failed.
func (h *Host) failedRuns(ctx context.Context) (github.PullRequest, []github.WorkflowRun, *toolError) {
	pr, terr := h.sessionPullRequest(ctx)
	if terr != nil {
		return github.PullRequest{}, nil, terr
	}
	runs, err := h.github.Client.WorkflowRuns(ctx, h.github.Origin.Repo, pr.HeadSHA)
	if err != nil {
		return github.PullRequest{}, nil, githubFailure("reading the workflow runs of "+pr.URL, err)
	}
	var failed []github.WorkflowRun
	for _, r := range runs {
		if slices.Contains(failedConclusions, strings.ToLower(r.Conclusion)) {
			failed = append(failed, r)
		}
	}
	if len(failed) == 0 {
		return github.PullRequest{}, nil, fail(CodeNoFailedRun, "no GitHub Actions run on the head of %s failed", pr.URL)
	}
	return pr, failed, nil
}

func getFailedRunLog(ctx context.Context, h *Host, _ args) (any, *toolError) {
	pr, failed, terr := h.failedRuns(ctx)
	if terr != nil {
		return nil, terr
	}
	run := failed[0]
	logs, err := h.github.Client.FailedJobLogs(ctx, h.github.Origin.Repo, run.ID, failedLogLines)
	if err != nil {
		return nil, githubFailure("reading the failed job logs of run "+run.Name, err)
	}
	var b strings.Builder
	truncated := false
	for _, l := range logs {
		b.WriteString("== job " + l.Job.Name + " (" + l.Job.Conclusion + ") ==\n" + l.Log + "\n")
		truncated = truncated || l.Truncated
	}
	max := h.github.FailedLogMaxBytes
	log, cut := tailUTF8(b.String(), max)
	return map[string]any{
		"pr_url":    pr.URL,
		"run_id":    run.ID,
		"workflow":  h.untrusted(fieldCheckName, run.Name),
		"run_url":   prompt.Inline(run.URL).Text,
		"log":       h.untrusted(prompt.Field{Tag: "github_ci_log", Limit: max}, log),
		"truncated": truncated || cut,
		"max_bytes": max,
	}, nil
}

// tailUTF8 keeps at most max bytes from the end of s, starting on a character boundary: the
// end of a failed job's log is where its error is.
func tailUTF8(s string, max int) (string, bool) {
	if len(s) <= max {
		return s, false
	}
	start := len(s) - max
	for start < len(s) && !utf8.RuneStart(s[start]) {
		start++
	}
	return s[start:], true
}
