package jira

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

// issueFields are the fields every read asks for.
var issueFields = []string{"summary", "description", "status", "priority", "labels", "assignee", "created", "updated", "project", "issuelinks", "subtasks", "parent"}

type jiraRef struct {
	ID     string `json:"id"`
	Key    string `json:"key"`
	Fields struct {
		Summary string `json:"summary"`
		Status  struct {
			Name string `json:"name"`
		} `json:"status"`
	} `json:"fields"`
}

type jiraIssue struct {
	ID     string `json:"id"`
	Key    string `json:"key"`
	Fields struct {
		Summary     string          `json:"summary"`
		Description json.RawMessage `json:"description"`
		Status      struct {
			Name string `json:"name"`
		} `json:"status"`
		Priority *struct {
			ID string `json:"id"`
		} `json:"priority"`
		Labels   []string `json:"labels"`
		Assignee *struct {
			AccountID string `json:"accountId"`
		} `json:"assignee"`
		Created string `json:"created"`
		Updated string `json:"updated"`
		Project *struct {
			ID   string `json:"id"`
			Key  string `json:"key"`
			Name string `json:"name"`
		} `json:"project"`
		IssueLinks []struct {
			Type struct {
				Name string `json:"name"`
			} `json:"type"`
			InwardIssue  *jiraRef `json:"inwardIssue"`
			OutwardIssue *jiraRef `json:"outwardIssue"`
		} `json:"issuelinks"`
		Subtasks []jiraRef `json:"subtasks"`
		Parent   *jiraRef  `json:"parent"`
	} `json:"fields"`
}

// jiraTime parses Jira's timestamps (2026-12-01T10:00:00.000+0000).
func jiraTime(s string) *time.Time {
	for _, layout := range []string{"2006-01-02T15:04:05.000-0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return &t
		}
	}
	return nil
}

// valid reports whether a record has what normalization needs.
func (j jiraIssue) valid() bool {
	return j.ID != "" && j.Key != "" && j.Fields.Status.Name != ""
}

func (c *Client) normalize(j jiraIssue, viewer string) issue.Issue {
	f := j.Fields
	is := issue.Issue{
		ID:          j.ID,
		Identifier:  j.Key,
		Title:       f.Summary,
		Description: adfToText(f.Description),
		State:       f.Status.Name,
		URL:         c.base + "/browse/" + url.PathEscape(j.Key),
		CreatedAt:   jiraTime(f.Created),
		UpdatedAt:   jiraTime(f.Updated),
	}
	if f.Priority != nil {
		if p, err := strconv.Atoi(f.Priority.ID); err == nil {
			is.Priority = &p
		}
	}
	if f.Assignee != nil {
		is.AssigneeID = f.Assignee.AccountID
	}
	if f.Project != nil {
		is.Project = &issue.Project{ID: f.Project.ID, Name: f.Project.Name, SlugID: f.Project.Key}
	}
	seen := map[string]bool{}
	for _, l := range f.Labels {
		l = strings.ToLower(strings.TrimSpace(l))
		if l != "" && !seen[l] {
			seen[l] = true
			is.Labels = append(is.Labels, l)
		}
	}
	for _, link := range f.IssueLinks {
		if strings.EqualFold(link.Type.Name, "Blocks") && link.InwardIssue != nil {
			b := link.InwardIssue
			is.BlockedBy = append(is.BlockedBy, issue.Blocker{ID: b.ID, Identifier: b.Key, State: b.Fields.Status.Name})
		}
	}
	is.AssignedToWorker = c.settings.Scope.Assigned(is.AssigneeID, viewer)
	return is
}

func (c *Client) ref(r jiraRef) tracker.IssueRef {
	return tracker.IssueRef{ID: r.ID, Identifier: r.Key, Title: r.Fields.Summary, State: r.Fields.Status.Name, URL: c.base + "/browse/" + url.PathEscape(r.Key)}
}

func urlPathEscape(s string) string { return url.PathEscape(s) }
