// Package github is the GitHub Issues tracker: the issues of one or more repositories, with
// workflow states carried by labels (one configurable label per state; an open issue without
// one is Open, a closed issue is Closed), priorities from labels, blockers read from the issue
// body ("blocked by #12" lines and unchecked task-list items), sub-issues and parents from
// GitHub's sub-issue API, and conversation comments. It speaks through internal/github's
// client with conditional reads, so an unchanged poll costs 304s that GitHub does not count
// against the rate limit.
package github

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"

	ghapi "github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/tracker"
)

// The states every GitHub issue has without a state label.
const (
	StateOpen   = "Open"
	StateClosed = "Closed"
)

// Options configures a Tracker.
type Options struct {
	// Client talks to the GitHub API; build it with ConditionalReads for cheap polling.
	Client *ghapi.Client
	// Host is the web host of the repositories (github.com when empty).
	Host string
	// Repos are the polled repositories as owner/repo.
	Repos []string
	// StateLabels maps a workflow state name to the label that marks it.
	StateLabels map[string]string
	// PriorityLabels maps a label to a priority; the lowest number an issue carries wins.
	PriorityLabels map[string]int
	Settings       tracker.Settings
}

// Tracker is the GitHub Issues tracker. It is safe for concurrent use.
type Tracker struct {
	client *ghapi.Client
	host   string
	repos  []ghapi.Repo
	// states lists the label-carried states sorted by name, so an issue that carries two
	// state labels always resolves to the same one.
	states         []string
	stateLabels    map[string]string
	priorityLabels map[string]int
	settings       tracker.Settings

	mu     sync.Mutex
	viewer string
}

var (
	_ tracker.Tracker          = (*Tracker)(nil)
	_ tracker.StateLister      = (*Tracker)(nil)
	_ tracker.ViewerIdentifier = (*Tracker)(nil)
)

// New checks opts and returns a tracker. It sends no request.
func New(opts Options) (*Tracker, error) {
	if opts.Client == nil {
		return nil, tracker.Errorf(tracker.CodeMissingAPIKey, "GitHub tracker: no client (set GH_TOKEN or GITHUB_TOKEN)")
	}
	if err := opts.Settings.Validate(); err != nil {
		return nil, err
	}
	t := &Tracker{client: opts.Client, host: opts.Host, stateLabels: map[string]string{}, priorityLabels: map[string]int{}, settings: opts.Settings}
	if t.host == "" {
		t.host = ghapi.PublicHost
	}
	if len(opts.Repos) == 0 {
		return nil, tracker.Errorf(tracker.CodeInvalidSettings, "issues.github.repos must list at least one owner/repo")
	}
	byLower := map[string]string{}
	for _, full := range opts.Repos {
		repo, err := ghapi.ParseRemote("https://" + t.host + "/" + strings.TrimSpace(full))
		if err != nil {
			return nil, tracker.Errorf(tracker.CodeInvalidSettings, "issues.github.repos: %q is not owner/repo", full)
		}
		if _, dup := byLower[strings.ToLower(repo.FullName())]; dup {
			return nil, tracker.Errorf(tracker.CodeInvalidSettings, "issues.github.repos lists %q twice", full)
		}
		byLower[strings.ToLower(repo.FullName())] = repo.FullName()
		t.repos = append(t.repos, repo)
	}
	if s := opts.Settings.Scope; s.Team != "" || s.ProjectSlug != "" {
		return nil, tracker.Errorf(tracker.CodeUnsupportedSelector, "GitHub has no Linear teams or projects; select issues with issues.github.labels and issues.github.assignee")
	}
	for i, r := range t.settings.Routes {
		if r.Team != "" {
			return nil, tracker.Errorf(tracker.CodeUnsupportedSelector, "repository %q: GitHub has no teams; use route.projects: [owner/repo] or route.labels", r.Key)
		}
		projects := make([]string, 0, len(r.Projects))
		for _, p := range tracker.NonEmpty(r.Projects) {
			full, ok := byLower[strings.ToLower(p)]
			if !ok {
				return nil, tracker.Errorf(tracker.CodeInvalidSettings, "repository %q: route.projects names %q, which is not in issues.github.repos", r.Key, p)
			}
			projects = append(projects, full)
		}
		t.settings.Routes[i].Projects = projects
	}
	labelOwner := map[string]string{}
	for state, label := range opts.StateLabels {
		state, label = strings.TrimSpace(state), strings.TrimSpace(label)
		if state == "" || label == "" {
			return nil, tracker.Errorf(tracker.CodeInvalidSettings, "issues.github.state_labels: state %q has label %q; both must be set", state, label)
		}
		if strings.EqualFold(state, StateOpen) || strings.EqualFold(state, StateClosed) {
			return nil, tracker.Errorf(tracker.CodeInvalidSettings, "issues.github.state_labels.%s: every issue is %s or %s without a label; pick another state name", state, StateOpen, StateClosed)
		}
		if other, dup := labelOwner[strings.ToLower(label)]; dup {
			return nil, tracker.Errorf(tracker.CodeInvalidSettings, "issues.github.state_labels: label %q marks both %q and %q", label, other, state)
		}
		labelOwner[strings.ToLower(label)] = state
		t.stateLabels[state] = label
		t.states = append(t.states, state)
	}
	sort.Strings(t.states)
	for label, p := range opts.PriorityLabels {
		t.priorityLabels[strings.ToLower(strings.TrimSpace(label))] = p
	}
	return t, nil
}

// reposFor returns the repositories a route polls: its projects, or every configured one.
func (t *Tracker) reposFor(e tracker.Effective) []ghapi.Repo {
	if len(e.Projects) == 0 {
		return t.repos
	}
	return slices.DeleteFunc(slices.Clone(t.repos), func(r ghapi.Repo) bool { return !slices.Contains(e.Projects, r.FullName()) })
}

// repo returns the configured repository named full (case-insensitively).
func (t *Tracker) repo(full string) (ghapi.Repo, bool) {
	for _, r := range t.repos {
		if strings.EqualFold(r.FullName(), full) {
			return r, true
		}
	}
	return ghapi.Repo{}, false
}

// ViewerID returns the login of the token's account, which "me" stands for and which
// comments Symphony writes carry as their author.
func (t *Tracker) ViewerID(ctx context.Context) (string, error) {
	t.mu.Lock()
	viewer := t.viewer
	t.mu.Unlock()
	if viewer != "" {
		return viewer, nil
	}
	u, err := t.client.CurrentUser(ctx)
	if err != nil {
		return "", trackerError(err, "")
	}
	t.mu.Lock()
	t.viewer = u.Login
	t.mu.Unlock()
	return u.Login, nil
}

// viewerIfNeeded looks the viewer up only when an assignee selector says "me".
func (t *Tracker) viewerIfNeeded(ctx context.Context) (string, error) {
	needs := t.settings.Scope.Assignee == tracker.AssigneeMe
	for _, r := range t.settings.Routes {
		needs = needs || t.settings.Effective(r).Assignee == tracker.AssigneeMe
	}
	if !needs {
		return "", nil
	}
	return t.ViewerID(ctx)
}
