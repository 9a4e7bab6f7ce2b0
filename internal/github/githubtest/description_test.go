package githubtest

import (
	"net/http"

	api "github.com/symphony-go/symphony/internal/testenv/apischema"
)

// GitHub's published REST description these tables are taken from. The file is 12.8 MB, so
// it is not kept here: each schema below was read from it by hand and holds only the keys
// the fake emits or reads. Required lists the description's required keys among those;
// Read marks the keys the client code (internal/github, internal/tracker/github) reads.
const (
	descriptionRepo   = "github/rest-api-description"
	descriptionFile   = "descriptions/api.github.com/api.github.com.2026-03-10.json"
	descriptionCommit = "1e9ee981cf46e750264247702268ec4ba0bd20df"
)

// simple-user; nullable-simple-user is the same object allowing null.
var simpleUser = api.Obj("simple-user", api.Props{"login": api.Str, "id": api.Int, "type": api.Str}).
	Require("login", "id", "type").Read("login")

// The authenticated user: private-user or public-user, which type these keys as simple-user
// does.
var authenticatedUser = api.Obj("private-user|public-user", api.Props{"login": api.Str, "id": api.Int, "type": api.Str}).
	Require("login", "id", "type").Read("login", "id")

// repository is what a pull request's head and base carry.
var repository = api.Obj("repository", api.Props{
	"name": api.Str, "full_name": api.Str, "owner": simpleUser, "fork": api.Bool, "private": api.Bool,
	"default_branch": api.Str, "html_url": api.Str,
}).Require("name", "full_name", "owner", "fork", "private", "html_url").Read("full_name")

var fullRepository = api.Obj("full-repository", api.Props{
	"name": api.Str, "full_name": api.Str, "owner": simpleUser, "fork": api.Bool, "private": api.Bool,
	"default_branch": api.Str, "html_url": api.Str,
}).Require("name", "full_name", "owner", "fork", "private", "default_branch", "html_url").
	Read("full_name", "default_branch", "fork", "private", "html_url")

// issueLabel is the object form of an issue's labels items (the other form is a string).
var issueLabel = api.Obj("issue.labels[]", api.Props{"name": api.Str}).Read("name")

var issue = api.Obj("issue", api.Props{
	"number": api.Int, "state": api.Str, "title": api.Str, "body": api.Null(api.Str),
	"repository_url": api.Str, "html_url": api.Str,
	"user":      api.Null(simpleUser),
	"labels":    api.ArrayOf(api.OneOf(api.Str, issueLabel)),
	"assignees": api.ArrayOf(simpleUser),
	"pull_request": api.Obj("issue.pull_request", api.Props{"url": api.Str, "html_url": api.Str, "diff_url": api.Str, "patch_url": api.Str}).
		Require("url", "html_url", "diff_url", "patch_url"),
	"created_at": api.Str, "updated_at": api.Str,
}).Require("number", "state", "title", "repository_url", "html_url", "user", "labels", "created_at", "updated_at").
	Read("number", "state", "title", "body", "repository_url", "html_url", "user", "labels", "assignees", "created_at", "updated_at")

var issueComment = api.Obj("issue-comment", api.Props{
	"id": api.Int, "body": api.Str, "user": api.Null(simpleUser), "html_url": api.Str, "created_at": api.Str, "updated_at": api.Str,
}).Require("id", "user", "html_url", "created_at", "updated_at").
	Read("id", "body", "user", "html_url", "created_at", "updated_at")

// pullRef is a pull request's head or base.
var pullRef = api.Obj("pull-request.head|base", api.Props{"ref": api.Str, "sha": api.Str, "repo": repository}).
	Require("ref", "sha", "repo").Read("ref", "sha", "repo")

// pullSimpleProps are the keys pull-request-simple (what listings answer) shares with
// pull-request; it has no merged, mergeable or mergeable_state.
func pullSimpleProps() api.Props {
	return api.Props{
		"number": api.Int, "node_id": api.Str, "state": api.Str, "title": api.Str, "body": api.Null(api.Str), "html_url": api.Str,
		"draft": api.Bool, "merged_at": api.Null(api.Str), "user": api.Null(simpleUser), "head": pullRef, "base": pullRef,
		"requested_reviewers": api.ArrayOf(simpleUser), "created_at": api.Str, "updated_at": api.Str,
	}
}

var pullRequestSimple = api.Obj("pull-request-simple", pullSimpleProps()).
	Require("number", "node_id", "state", "title", "body", "html_url", "merged_at", "user", "head", "base", "created_at", "updated_at").
	Read("number", "node_id", "state", "title", "body", "html_url", "draft", "merged_at", "user", "head", "base", "created_at", "updated_at")

var pullRequest = func() *api.Schema {
	props := pullSimpleProps()
	props["user"] = simpleUser
	props["merged"], props["mergeable"], props["mergeable_state"] = api.Bool, api.Null(api.Bool), api.Str
	return api.Obj("pull-request", props).
		Require("number", "node_id", "state", "title", "body", "html_url", "merged_at", "user", "head", "base",
			"merged", "mergeable", "mergeable_state", "created_at", "updated_at").
		Read("number", "node_id", "state", "title", "body", "html_url", "draft", "merged", "merged_at", "user",
			"head", "base", "mergeable", "mergeable_state", "created_at", "updated_at")
}()

var pullRequestReview = api.Obj("pull-request-review", api.Props{
	"id": api.Int, "user": api.Null(simpleUser), "body": api.Str, "state": api.Str, "html_url": api.Str,
	"commit_id": api.Null(api.Str), "submitted_at": api.Str,
}).Require("id", "user", "body", "state", "html_url", "commit_id").
	Read("id", "user", "body", "state", "html_url", "commit_id", "submitted_at")

var pullRequestReviewComment = api.Obj("pull-request-review-comment", api.Props{
	"id": api.Int, "body": api.Str, "user": api.Null(simpleUser), "path": api.Str, "commit_id": api.Str,
	"pull_request_review_id": api.Null(api.Int), "in_reply_to_id": api.Int, "line": api.Int,
	"html_url": api.Str, "created_at": api.Str, "updated_at": api.Str,
}).Require("id", "body", "user", "path", "commit_id", "pull_request_review_id", "html_url", "created_at", "updated_at").
	Read("id", "body", "user", "path", "commit_id", "pull_request_review_id", "in_reply_to_id", "line", "html_url", "created_at", "updated_at")

var checkRun = api.Obj("check-run", api.Props{
	"id": api.Int, "name": api.Str, "head_sha": api.Str, "status": api.Str, "conclusion": api.Null(api.Str),
	"details_url": api.Null(api.Str),
	"app":         api.Null(api.Obj("nullable-integration", api.Props{"slug": api.Str}).Read("slug")),
	"check_suite": api.Null(api.Obj("check-run.check_suite", api.Props{"id": api.Int}).Require("id").Read("id")),
	"started_at":  api.Null(api.Str), "completed_at": api.Null(api.Str),
}).Require("id", "name", "head_sha", "status", "conclusion", "details_url", "app", "check_suite", "started_at", "completed_at").
	Read("id", "name", "head_sha", "status", "conclusion", "details_url", "app", "check_suite", "started_at", "completed_at")

var simpleCommitStatus = api.Obj("simple-commit-status", api.Props{
	"context": api.Str, "state": api.Str, "description": api.Null(api.Str), "target_url": api.Null(api.Str),
}).Require("context", "state", "description", "target_url").Read("context", "state", "description", "target_url")

var combinedCommitStatus = api.Obj("combined-commit-status", api.Props{
	"state": api.Str, "sha": api.Str, "total_count": api.Int, "statuses": api.ArrayOf(simpleCommitStatus),
}).Require("state", "sha", "total_count", "statuses").Read("state", "sha", "statuses")

var workflowRun = api.Obj("workflow-run", api.Props{
	"id": api.Int, "name": api.Null(api.Str), "workflow_id": api.Int, "head_branch": api.Null(api.Str), "head_sha": api.Str,
	"event": api.Str, "status": api.Null(api.Str), "conclusion": api.Null(api.Str), "run_attempt": api.Int,
	"check_suite_id": api.Int, "html_url": api.Str,
}).Require("id", "workflow_id", "head_branch", "head_sha", "event", "status", "conclusion", "html_url").
	Read("id", "name", "workflow_id", "head_branch", "head_sha", "event", "status", "conclusion", "run_attempt", "check_suite_id", "html_url")

var jobStep = api.Obj("job.steps[]", api.Props{"number": api.Int, "name": api.Str, "status": api.Str, "conclusion": api.Null(api.Str)}).
	Require("number", "name", "status", "conclusion").Read("number", "name", "status", "conclusion")

var job = api.Obj("job", api.Props{
	"id": api.Int, "run_id": api.Int, "name": api.Str, "status": api.Str, "conclusion": api.Null(api.Str),
	"html_url": api.Null(api.Str), "steps": api.ArrayOf(jobStep),
}).Require("id", "run_id", "name", "status", "conclusion", "html_url").
	Read("id", "run_id", "name", "status", "conclusion", "html_url", "steps")

// listing wraps the items the way the checks and Actions listings do.
func listing(name, key string, items *api.Schema) *api.Schema {
	return api.Obj(name, api.Props{"total_count": api.Int, key: api.ArrayOf(items)}).Require("total_count", key).Read(key)
}

// Request bodies. Read here marks what the fake reads.
var (
	updateIssue = api.Obj("issues/update request", api.Props{
		"title": api.Null(api.OneOf(api.Str, api.Int)), "body": api.Null(api.Str), "state": api.Str,
		"labels":    api.ArrayOf(api.OneOf(api.Str, api.Obj("issues/update labels[]", api.Props{"id": api.Int, "name": api.Str, "description": api.Null(api.Str), "color": api.Null(api.Str)}))),
		"assignees": api.ArrayOf(api.OneOf(api.Str, api.Obj("issues/update assignees[]", api.Props{"login": api.Str}))),
	})
	commentBody = api.Obj("comment request", api.Props{"body": api.Str}).Require("body").Read("body")
	// createReviewComment requires commit_id and path too, but the description says that
	// with in_reply_to every key but body is ignored, and the client only replies that way.
	createReviewComment = api.Obj("pulls/create-review-comment request", api.Props{
		"body": api.Str, "commit_id": api.Str, "path": api.Str, "line": api.Int, "in_reply_to": api.Int,
	}).Require("body", "commit_id", "path").Read("body")
	createPull = api.Obj("pulls/create request", api.Props{"title": api.Str, "head": api.Str, "base": api.Str, "body": api.Str, "draft": api.Bool}).
			Require("head", "base").Read("title", "head", "base", "body", "draft")
	updatePull       = api.Obj("pulls/update request", api.Props{"title": api.Str, "body": api.Str, "state": api.Str, "base": api.Str})
	requestReviewers = api.Obj("pulls/request-reviewers request", api.Props{"reviewers": api.ArrayOf(api.Str), "team_reviewers": api.ArrayOf(api.Str)})
)

// operations are the description's operations the fake serves.
var operations = []api.Operation{
	{ID: "users/get-authenticated", Method: http.MethodGet, Path: "/user", Response: authenticatedUser},
	{ID: "repos/get", Method: http.MethodGet, Path: "/repos/{owner}/{repo}", Response: fullRepository},
	{ID: "pulls/list", Method: http.MethodGet, Path: "/repos/{owner}/{repo}/pulls", Response: api.ArrayOf(pullRequestSimple)},
	{ID: "pulls/create", Method: http.MethodPost, Path: "/repos/{owner}/{repo}/pulls", Request: createPull, Response: pullRequest},
	{ID: "pulls/get", Method: http.MethodGet, Path: "/repos/{owner}/{repo}/pulls/{pull_number}", Response: pullRequest},
	{ID: "pulls/update", Method: http.MethodPatch, Path: "/repos/{owner}/{repo}/pulls/{pull_number}", Request: updatePull, Response: pullRequest},
	{ID: "pulls/request-reviewers", Method: http.MethodPost, Path: "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
		Request: requestReviewers, Response: pullRequestSimple},
	{ID: "pulls/list-reviews", Method: http.MethodGet, Path: "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", Response: api.ArrayOf(pullRequestReview)},
	{ID: "pulls/list-review-comments", Method: http.MethodGet, Path: "/repos/{owner}/{repo}/pulls/{pull_number}/comments",
		Response: api.ArrayOf(pullRequestReviewComment)},
	{ID: "pulls/create-review-comment", Method: http.MethodPost, Path: "/repos/{owner}/{repo}/pulls/{pull_number}/comments",
		Request: createReviewComment, Response: pullRequestReviewComment},
	{ID: "pulls/create-reply-for-review-comment", Method: http.MethodPost, Path: "/repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies",
		Request: commentBody, Response: pullRequestReviewComment},
	{ID: "issues/list-for-repo", Method: http.MethodGet, Path: "/repos/{owner}/{repo}/issues", Response: api.ArrayOf(issue)},
	{ID: "issues/get", Method: http.MethodGet, Path: "/repos/{owner}/{repo}/issues/{issue_number}", Response: issue},
	{ID: "issues/update", Method: http.MethodPatch, Path: "/repos/{owner}/{repo}/issues/{issue_number}", Request: updateIssue, Response: issue},
	{ID: "issues/list-sub-issues", Method: http.MethodGet, Path: "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues", Response: api.ArrayOf(issue)},
	{ID: "issues/get-parent", Method: http.MethodGet, Path: "/repos/{owner}/{repo}/issues/{issue_number}/parent", Response: issue},
	{ID: "issues/delete-comment", Method: http.MethodDelete, Path: "/repos/{owner}/{repo}/issues/comments/{comment_id}"},
	{ID: "issues/update-comment", Method: http.MethodPatch, Path: "/repos/{owner}/{repo}/issues/comments/{comment_id}", Request: commentBody, Response: issueComment},
	{ID: "issues/list-comments", Method: http.MethodGet, Path: "/repos/{owner}/{repo}/issues/{issue_number}/comments", Response: api.ArrayOf(issueComment)},
	{ID: "issues/create-comment", Method: http.MethodPost, Path: "/repos/{owner}/{repo}/issues/{issue_number}/comments", Request: commentBody, Response: issueComment},
	{ID: "checks/list-for-ref", Method: http.MethodGet, Path: "/repos/{owner}/{repo}/commits/{ref}/check-runs", Response: listing("checks/list-for-ref answer", "check_runs", checkRun)},
	{ID: "repos/get-combined-status-for-ref", Method: http.MethodGet, Path: "/repos/{owner}/{repo}/commits/{ref}/status", Response: combinedCommitStatus},
	{ID: "actions/list-workflow-runs-for-repo", Method: http.MethodGet, Path: "/repos/{owner}/{repo}/actions/runs",
		Response: listing("actions/list-workflow-runs-for-repo answer", "workflow_runs", workflowRun)},
	{ID: "actions/list-jobs-for-workflow-run", Method: http.MethodGet, Path: "/repos/{owner}/{repo}/actions/runs/{run_id}/jobs",
		Response: listing("actions/list-jobs-for-workflow-run answer", "jobs", job)},
	{ID: "actions/re-run-workflow-failed-jobs", Method: http.MethodPost, Path: "/repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs",
		Response: api.Obj("empty-object", api.Props{})},
	// A 302 to the log archive, without a body.
	{ID: "actions/download-job-logs-for-workflow-run", Method: http.MethodGet, Path: "/repos/{owner}/{repo}/actions/jobs/{job_id}/logs"},
}

// failure is what a failed request is answered with: basic-error, or validation-error when
// the request was invalid (422).
var failure = api.OneOf(
	api.Obj("basic-error", api.Props{"message": api.Str, "documentation_url": api.Str, "url": api.Str, "status": api.Str}).
		Read("message"),
	api.Obj("validation-error", api.Props{
		"message": api.Str, "documentation_url": api.Str,
		"errors": api.ArrayOf(api.Obj("validation-error.errors[]", api.Props{
			"resource": api.Str, "field": api.Str, "message": api.Str, "code": api.Str,
		}).Require("code").Read("resource", "field", "message", "code")),
	}).Require("message", "documentation_url").Read("message", "errors"),
)

// undescribed are routes the REST description has no part in: GraphQL, and the pre-signed
// storage a log download redirects to.
var undescribed = []string{"POST /graphql", "GET /_blobs/job-logs/{id}"}
