package jiratest

import (
	"net/http"

	api "github.com/symphony-go/symphony/internal/testenv/apischema"
)

// Jira Cloud's published platform REST v3 description these tables are taken from.
// Atlassian publishes it at developer.atlassian.com/cloud/jira/platform/swagger-v3.v3.json,
// which cannot be reached from here; salto-io/jira-swaggers fetches that URL daily and keeps
// it verbatim as platform-swagger.v3.json, pinned below by commit. The file is not copied
// here: each schema below was read from it by hand and holds only the keys the fake emits
// or reads. Required lists the description's required keys among those; Read marks the keys
// the tracker (internal/tracker/jira) reads.
const (
	descriptionRepo   = "salto-io/jira-swaggers"
	descriptionFile   = "platform-swagger.v3.json"
	descriptionCommit = "1b49fef3d8a16fe94bc4e448795766b6ee8f89a8"
)

var (
	userDetails = api.Obj("UserDetails", api.Props{"accountId": api.Str, "displayName": api.Str}).
			Read("accountId", "displayName")
	currentUser   = api.Obj("User", api.Props{"accountId": api.Str, "displayName": api.Str}).Read("accountId")
	statusDetails = api.Obj("StatusDetails", api.Props{"id": api.Str, "name": api.Str}).Read("name")
	priority      = api.Obj("Priority", api.Props{"id": api.Str, "name": api.Str}).Read("id")
	project       = api.Obj("ProjectDetails", api.Props{"id": api.Str, "key": api.Str, "name": api.Str}).Read("id", "key", "name")
	linkType      = api.Obj("IssueLinkType", api.Props{"id": api.Str, "name": api.Str, "inward": api.Str, "outward": api.Str}).Read("name")
	// linkedIssue is an issue another one points at: a link's other side, a subtask, a parent.
	linkedIssue = api.Obj("LinkedIssue", api.Props{
		"id": api.Str, "key": api.Str, "self": api.Str,
		"fields": api.Obj("Fields", api.Props{"summary": api.Str, "status": statusDetails}).Read("summary", "status"),
	}).Read("id", "key", "fields")
	// issueLink: the description requires both inwardIssue and outwardIssue, but a link read
	// from an issue names only the other issue (the tracker reads whichever is there), so
	// only type is held to the required-and-read rule.
	issueLink = api.Obj("IssueLink", api.Props{
		"id": api.Str, "type": linkType, "inwardIssue": linkedIssue, "outwardIssue": linkedIssue,
	}).Require("inwardIssue", "outwardIssue", "type").Read("type")
)

// issueFields are the system fields the tracker asks for. IssueBean.fields is a free-form map
// in the description; each value here has the schema the description gives that field's type
// (status is StatusDetails, project ProjectDetails, issuelinks IssueLink, and so on), and a
// field without a value is null.
var issueFields = api.Obj("IssueBean.fields", api.Props{
	"summary":     api.Str,
	"description": api.Value, // Atlassian Document Format, or null
	"status":      statusDetails,
	"priority":    api.Null(priority),
	"labels":      api.ArrayOf(api.Str),
	"assignee":    api.Null(userDetails),
	"created":     api.Str,
	"updated":     api.Str,
	"project":     project,
	"issuelinks":  api.ArrayOf(issueLink),
	"subtasks":    api.ArrayOf(linkedIssue),
	"parent":      linkedIssue,
}).Read("summary", "description", "status", "priority", "labels", "assignee", "created", "updated", "project", "issuelinks", "subtasks", "parent")

var issueBean = api.Obj("IssueBean", api.Props{"id": api.Str, "key": api.Str, "self": api.Str, "fields": issueFields}).
	Read("id", "key", "fields")

var comment = api.Obj("Comment", api.Props{
	"id": api.Str, "author": userDetails, "body": api.Value, "created": api.Str, "updated": api.Str,
}).Read("id", "author", "body", "created", "updated")

var attachment = api.Obj("Attachment", api.Props{
	"self": api.Str, "id": api.Str, "filename": api.Str, "author": userDetails, "created": api.Str,
	"size": api.Int, "mimeType": api.Str, "content": api.Str,
}).Read("id", "filename", "content")

// Request bodies. Read here marks what the fake reads.
var (
	searchRequest = api.Obj("SearchAndReconcileRequestBean", api.Props{
		"jql": api.Str, "fields": api.ArrayOf(api.Str), "maxResults": api.Int, "nextPageToken": api.Str,
	}).Read("jql", "fields", "maxResults", "nextPageToken")
	transitionRequest = api.Obj("IssueUpdateDetails", api.Props{
		"transition": api.Obj("IssueTransition", api.Props{"id": api.Str}).Read("id"),
	}).Read("transition")
	commentRequest    = api.Obj("Comment", api.Props{"body": api.Value}).Read("body")
	remoteLinkRequest = api.Obj("RemoteIssueLinkRequest", api.Props{
		"object": api.Obj("RemoteObject", api.Props{"url": api.Str, "title": api.Str}).Require("title", "url").Read("url", "title"),
	}).Require("object").Read("object")
)

// operations are the description's operations the fake serves, named for messages by what
// they do.
var operations = []api.Operation{
	{ID: "search issues by JQL", Method: http.MethodPost, Path: "/rest/api/3/search/jql", Request: searchRequest,
		Response: api.Obj("SearchAndReconcileResults", api.Props{
			"issues": api.ArrayOf(issueBean), "isLast": api.Bool, "nextPageToken": api.Str,
		}).Read("issues", "isLast", "nextPageToken")},
	{ID: "get current user", Method: http.MethodGet, Path: "/rest/api/3/myself", Response: currentUser},
	{ID: "get issue", Method: http.MethodGet, Path: "/rest/api/3/issue/{issueIdOrKey}", Response: issueBean},
	{ID: "get transitions", Method: http.MethodGet, Path: "/rest/api/3/issue/{issueIdOrKey}/transitions",
		Response: api.Obj("Transitions", api.Props{
			"transitions": api.ArrayOf(api.Obj("IssueTransition", api.Props{"id": api.Str, "name": api.Str, "to": statusDetails}).Read("id", "name", "to")),
		}).Read("transitions")},
	{ID: "transition issue", Method: http.MethodPost, Path: "/rest/api/3/issue/{issueIdOrKey}/transitions", Request: transitionRequest},
	{ID: "get comments", Method: http.MethodGet, Path: "/rest/api/3/issue/{issueIdOrKey}/comment",
		Response: api.Obj("PageOfComments", api.Props{
			"startAt": api.Int, "maxResults": api.Int, "total": api.Int, "comments": api.ArrayOf(comment),
		}).Read("startAt", "total", "comments")},
	{ID: "add comment", Method: http.MethodPost, Path: "/rest/api/3/issue/{issueIdOrKey}/comment", Request: commentRequest, Response: comment},
	{ID: "update comment", Method: http.MethodPut, Path: "/rest/api/3/issue/{issueIdOrKey}/comment/{id}", Request: commentRequest, Response: comment},
	{ID: "delete comment", Method: http.MethodDelete, Path: "/rest/api/3/issue/{issueIdOrKey}/comment/{id}"},
	{ID: "create remote issue link", Method: http.MethodPost, Path: "/rest/api/3/issue/{issueIdOrKey}/remotelink", Request: remoteLinkRequest,
		Response: api.Obj("RemoteIssueLinkIdentifies", api.Props{"id": api.Int, "self": api.Str}).Read("id")},
	// A multipart upload, so no JSON request body.
	{ID: "add attachment", Method: http.MethodPost, Path: "/rest/api/3/issue/{issueIdOrKey}/attachments", Response: api.ArrayOf(attachment)},
}

// failure is what a failed request is answered with.
var failure = api.Obj("ErrorCollection", api.Props{
	"errorMessages": api.ArrayOf(api.Str), "errors": api.MapOf("ErrorCollection.errors", api.Str), "status": api.Int,
}).Read("errorMessages", "errors")
