package github

import (
	"slices"
	"strconv"
	"strings"

	ghapi "github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

// identifier is an issue's id and human key alike: owner/repo#N, unique across repositories
// and GitHub's own spelling of a cross-repository reference.
func identifier(repo ghapi.Repo, number int) string {
	return repo.FullName() + "#" + strconv.Itoa(number)
}

// parseIdentifier reads owner/repo#N and checks the repository is one this tracker polls.
func (t *Tracker) parseIdentifier(id string) (ghapi.Repo, int, error) {
	full, num, ok := strings.Cut(strings.TrimSpace(id), "#")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n <= 0 {
		return ghapi.Repo{}, 0, tracker.Errorf(tracker.CodeIssueNotFound, "%q is not a GitHub issue id (owner/repo#number)", id)
	}
	repo, ok := t.repo(full)
	if !ok {
		return ghapi.Repo{}, 0, tracker.Errorf(tracker.CodeIssueNotFound, "%q is not an issue of issues.github.repos", id)
	}
	return repo, n, nil
}

// stateOf names an issue's workflow state: Closed for a closed issue, the state of the first
// state label it carries (by state name), or Open.
func (t *Tracker) stateOf(gi ghapi.Issue) string {
	if gi.State == ghapi.IssueClosed {
		return StateClosed
	}
	for _, state := range t.states {
		if hasLabel(gi.Labels, t.stateLabels[state]) {
			return state
		}
	}
	return StateOpen
}

func hasLabel(labels []string, want string) bool {
	return slices.ContainsFunc(labels, func(l string) bool { return strings.EqualFold(strings.TrimSpace(l), want) })
}

// normalize turns a GitHub issue of repo into the shared model. viewer is the token's login
// (or ""); the assignee shown is the viewer when the issue is assigned to them, so "me"
// matches an issue with several assignees. Blocker states are left for resolveBlockers.
func (t *Tracker) normalize(repo ghapi.Repo, gi ghapi.Issue, viewer string) issue.Issue {
	is := issue.Issue{
		ID:          identifier(repo, gi.Number),
		Identifier:  identifier(repo, gi.Number),
		Title:       gi.Title,
		Description: gi.Body,
		State:       t.stateOf(gi),
		URL:         gi.URL,
		Project:     &issue.Project{ID: repo.FullName(), Name: repo.FullName(), SlugID: repo.FullName()},
	}
	if !gi.CreatedAt.IsZero() {
		created := gi.CreatedAt
		is.CreatedAt = &created
	}
	if !gi.UpdatedAt.IsZero() {
		updated := gi.UpdatedAt
		is.UpdatedAt = &updated
	}
	seen := map[string]bool{}
	for _, l := range gi.Labels {
		l = strings.ToLower(strings.TrimSpace(l))
		if l == "" || seen[l] {
			continue
		}
		seen[l] = true
		is.Labels = append(is.Labels, l)
		if p, ok := t.priorityLabels[l]; ok && (is.Priority == nil || p < *is.Priority) {
			is.Priority = &p
		}
	}
	if len(gi.Assignees) > 0 {
		is.AssigneeID = gi.Assignees[0]
		if viewer != "" && slices.ContainsFunc(gi.Assignees, func(a string) bool { return strings.EqualFold(a, viewer) }) {
			is.AssigneeID = viewer
		}
	}
	for _, ref := range parseBlockers(gi.Body) {
		target := repo
		if ref.Repo != "" {
			if r, ok := t.repo(ref.Repo); ok {
				target = r
			} else if owner, name, ok := strings.Cut(ref.Repo, "/"); ok {
				target = ghapi.Repo{Host: repo.Host, Owner: owner, Name: name}
			}
		}
		if target.FullName() == repo.FullName() && ref.Number == gi.Number {
			continue
		}
		id := identifier(target, ref.Number)
		is.BlockedBy = append(is.BlockedBy, issue.Blocker{ID: id, Identifier: id})
	}
	is.AssignedToWorker = t.settings.Scope.Assigned(is.AssigneeID, viewer)
	return is
}

// comment converts a GitHub conversation comment.
func comment(c ghapi.Comment) issue.Comment {
	out := issue.Comment{ID: strconv.FormatInt(c.ID, 10), Body: c.Body, Author: c.Author, AuthorID: c.Author}
	if !c.CreatedAt.IsZero() {
		created := c.CreatedAt
		out.CreatedAt = &created
	}
	if !c.UpdatedAt.IsZero() {
		updated := c.UpdatedAt
		out.UpdatedAt = &updated
	}
	return out
}

func parseCommentID(id string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
	if err != nil || n <= 0 {
		return 0, tracker.Errorf(tracker.CodeCommentNotFound, "%q is not a GitHub comment id", id)
	}
	return n, nil
}

func (t *Tracker) stateNames() []string {
	return append(append([]string{StateOpen}, t.states...), StateClosed)
}

func (t *Tracker) unknownState(id, state string) error {
	return tracker.Errorf(tracker.CodeStateNotFound, "GitHub issue %s cannot move to %q: the states are %s (set issues.github.state_labels for more)",
		id, state, strings.Join(t.stateNames(), ", "))
}

// foreignRepo reads owner/repo#N for a repository this tracker does not poll (a blocker
// elsewhere), checking only the shape.
func foreignRepo(id string) (ghapi.Repo, int, error) {
	full, num, _ := strings.Cut(id, "#")
	n, err := strconv.Atoi(num)
	owner, name, ok := strings.Cut(full, "/")
	if err != nil || n <= 0 || !ok || owner == "" || name == "" {
		return ghapi.Repo{}, 0, tracker.Errorf(tracker.CodeIssueNotFound, "%q is not owner/repo#number", id)
	}
	return ghapi.Repo{Owner: owner, Name: name}, n, nil
}
