package linear

import (
	"math"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
)

type nameNode struct {
	Name string `json:"name"`
}

type issueNode struct {
	ID          string   `json:"id"`
	Identifier  string   `json:"identifier"`
	Title       string   `json:"title"`
	Description *string  `json:"description"`
	Priority    *float64 `json:"priority"`
	BranchName  string   `json:"branchName"`
	URL         string   `json:"url"`
	CreatedAt   string   `json:"createdAt"`
	UpdatedAt   string   `json:"updatedAt"`
	State       *nameNode
	Team        *struct {
		ID   string `json:"id"`
		Key  string `json:"key"`
		Name string `json:"name"`
	} `json:"team"`
	Project *struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		SlugID string `json:"slugId"`
	} `json:"project"`
	Assignee *struct {
		ID string `json:"id"`
	} `json:"assignee"`
	Labels struct {
		Nodes []nameNode `json:"nodes"`
	} `json:"labels"`
	Attachments struct {
		Nodes []struct {
			URL string `json:"url"`
		} `json:"nodes"`
	} `json:"attachments"`
	InverseRelations struct {
		Nodes []struct {
			Type  string `json:"type"`
			Issue *struct {
				ID         string    `json:"id"`
				Identifier string    `json:"identifier"`
				State      *nameNode `json:"state"`
			} `json:"issue"`
		} `json:"nodes"`
	} `json:"inverseRelations"`
}

type pageInfo struct {
	HasNextPage bool    `json:"hasNextPage"`
	EndCursor   *string `json:"endCursor"`
}

type commentNode struct {
	ID        string    `json:"id"`
	Body      string    `json:"body"`
	CreatedAt string    `json:"createdAt"`
	UpdatedAt string    `json:"updatedAt"`
	User      *userNode `json:"user"`
}

type userNode struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// pullRequestPath matches /owner/repo/pull/123 on a GitHub host.
var pullRequestPath = regexp.MustCompile(`^/[^/]+/[^/]+/pull/[0-9]+(/.*)?$`)

// normalize turns a Linear issue node into the shared model. assigneeID is the configured
// issue-level assignee ("" when none): an issue assigned to someone else is marked
// AssignedToWorker=false.
func (n issueNode) normalize(assigneeID string) issue.Issue {
	is := issue.Issue{
		ID:               n.ID,
		Identifier:       n.Identifier,
		Title:            n.Title,
		BranchName:       n.BranchName,
		URL:              n.URL,
		CreatedAt:        parseTime(n.CreatedAt),
		UpdatedAt:        parseTime(n.UpdatedAt),
		AssignedToWorker: true,
	}
	if n.Description != nil {
		is.Description = *n.Description
	}
	if n.Priority != nil && *n.Priority == math.Trunc(*n.Priority) {
		p := int(*n.Priority)
		is.Priority = &p
	}
	if n.State != nil {
		is.State = n.State.Name
	}
	if n.Team != nil {
		is.Team = &issue.Team{ID: n.Team.ID, Key: n.Team.Key, Name: n.Team.Name}
	}
	if n.Project != nil {
		is.Project = &issue.Project{ID: n.Project.ID, Name: n.Project.Name, SlugID: n.Project.SlugID}
	}
	if n.Assignee != nil {
		is.AssigneeID = n.Assignee.ID
	}
	if assigneeID != "" && is.AssigneeID != assigneeID {
		is.AssignedToWorker = false
	}
	for _, l := range n.Labels.Nodes {
		if l.Name != "" {
			is.Labels = append(is.Labels, strings.ToLower(l.Name))
		}
	}
	for _, a := range n.Attachments.Nodes {
		if isPullRequestURL(a.URL) && !slices.Contains(is.PRURLs, a.URL) {
			is.PRURLs = append(is.PRURLs, a.URL)
		}
	}
	for _, r := range n.InverseRelations.Nodes {
		if !strings.EqualFold(strings.TrimSpace(r.Type), "blocks") || r.Issue == nil {
			continue
		}
		b := issue.Blocker{ID: r.Issue.ID, Identifier: r.Issue.Identifier}
		if r.Issue.State != nil {
			b.State = r.Issue.State.Name
		}
		is.BlockedBy = append(is.BlockedBy, b)
	}
	return is
}

func (n commentNode) normalize() issue.Comment {
	c := issue.Comment{ID: n.ID, Body: n.Body, CreatedAt: parseTime(n.CreatedAt), UpdatedAt: parseTime(n.UpdatedAt)}
	if n.User != nil {
		c.Author, c.AuthorID = n.User.Name, n.User.ID
	}
	return c
}

func isPullRequestURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" {
		return false
	}
	return strings.EqualFold(u.Host, "github.com") && pullRequestPath.MatchString(u.Path)
}

// parseTime returns nil for a missing or unparseable timestamp rather than a zero time that
// would sort as the oldest issue.
func parseTime(s string) *time.Time {
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil
	}
	return &t
}
