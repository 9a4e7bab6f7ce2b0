// Package gitlab is the GitLab Issues tracker for one project on gitlab.com or a self-managed
// instance, over gitlab.com/gitlab-org/api/client-go: workflow states are labels (scoped ones
// such as workflow::todo, one per state; an open issue without one is Open, a closed issue
// Closed), comments are notes (system notes left out), blockers are "is blocked by" issue
// links, candidate pages are read with ETags so an unchanged page costs an empty 304, files
// are project uploads linked from a note, and a 429 stops requests until the time GitLab gave.
package gitlab

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

// The states every GitLab issue has without a state label.
const (
	StateOpen   = "Open"
	StateClosed = "Closed"
)

// DefaultBaseURL is gitlab.com.
const DefaultBaseURL = "https://gitlab.com"

const (
	pageSize        = 100
	maxPages        = 100
	requestTimeout  = 30 * time.Second
	fallbackBackoff = time.Minute
)

// Options configures a Tracker.
type Options struct {
	// BaseURL is the instance (https://gitlab.com or self-managed); plain http only on loopback.
	BaseURL string
	Token   string
	// Project is the project's full path (group/project).
	Project     string
	StateLabels map[string]string
	Settings    tracker.Settings
	// HTTPClient defaults to one with a 30 s timeout.
	HTTPClient *http.Client
	// Now defaults to time.Now.
	Now func() time.Time
}

// Tracker is the GitLab tracker. It is safe for concurrent use.
type Tracker struct {
	client *gl.Client
	// instance is the base URL without /api/v4, which upload paths are relative to.
	instance    string
	project     string
	states      []string
	stateLabels map[string]string
	settings    tracker.Settings
	now         func() time.Time

	mu           sync.Mutex
	viewer       string
	blockedUntil time.Time
	pages        map[string]cachedPage
	linkCache    map[int64]cachedLinks
}

var (
	_ tracker.Tracker          = (*Tracker)(nil)
	_ tracker.StateLister      = (*Tracker)(nil)
	_ tracker.ViewerIdentifier = (*Tracker)(nil)
)

// New checks opts and returns a tracker. It sends no request.
func New(opts Options) (*Tracker, error) {
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	if err := tracker.CheckBaseURL("issues.gitlab.base_url", opts.BaseURL); err != nil {
		return nil, err
	}
	if strings.TrimSpace(opts.Token) == "" {
		return nil, tracker.Errorf(tracker.CodeMissingAPIKey, "provider gitlab needs a token: export GITLAB_TOKEN")
	}
	if p := strings.Trim(strings.TrimSpace(opts.Project), "/"); p == "" || !strings.Contains(p, "/") {
		return nil, tracker.Errorf(tracker.CodeInvalidSettings, "issues.gitlab.project must be the project's path (group/project), got %q", opts.Project)
	}
	if err := opts.Settings.Validate(); err != nil {
		return nil, err
	}
	if s := opts.Settings.Scope; s.Team != "" || s.ProjectSlug != "" {
		return nil, tracker.Errorf(tracker.CodeUnsupportedSelector, "GitLab polls issues.gitlab.project; Linear teams and projects do not apply")
	}
	for _, r := range opts.Settings.Routes {
		if r.Team != "" || len(r.Projects) > 0 {
			return nil, tracker.Errorf(tracker.CodeUnsupportedSelector, "repository %q: GitLab routes select by route.labels or route.assignee only", r.Key)
		}
	}
	instance := strings.TrimRight(strings.TrimSpace(opts.BaseURL), "/")
	base := instance + "/api/v4"
	httpClient := opts.HTTPClient
	if httpClient == nil {
		httpClient = &http.Client{Timeout: requestTimeout}
	}
	client, err := gl.NewClient(strings.TrimSpace(opts.Token), gl.WithBaseURL(base), gl.WithoutRetries(), gl.WithHTTPClient(httpClient))
	if err != nil {
		return nil, tracker.Errorf(tracker.CodeInvalidSettings, "GitLab client: %w", err)
	}
	t := &Tracker{client: client, instance: instance, project: strings.Trim(strings.TrimSpace(opts.Project), "/"), stateLabels: map[string]string{}, settings: opts.Settings, now: opts.Now,
		pages: map[string]cachedPage{}, linkCache: map[int64]cachedLinks{}}
	if t.now == nil {
		t.now = time.Now
	}
	owner := map[string]string{}
	for state, label := range opts.StateLabels {
		state, label = strings.TrimSpace(state), strings.TrimSpace(label)
		switch {
		case state == "" || label == "":
			return nil, tracker.Errorf(tracker.CodeInvalidSettings, "issues.gitlab.state_labels: state %q has label %q; both must be set", state, label)
		case strings.EqualFold(state, StateOpen) || strings.EqualFold(state, StateClosed):
			return nil, tracker.Errorf(tracker.CodeInvalidSettings, "issues.gitlab.state_labels.%s: every issue is Open or Closed without a label", state)
		case owner[strings.ToLower(label)] != "":
			return nil, tracker.Errorf(tracker.CodeInvalidSettings, "issues.gitlab.state_labels: label %q marks both %q and %q", label, owner[strings.ToLower(label)], state)
		}
		owner[strings.ToLower(label)] = state
		t.stateLabels[state] = label
		t.states = append(t.states, state)
	}
	sort.Strings(t.states)
	return t, nil
}

// call runs one client call under the rate-limit window and maps its error.
func (t *Tracker) call(op string, notFound tracker.Code, fn func() (*gl.Response, error)) error {
	t.mu.Lock()
	until := t.blockedUntil
	t.mu.Unlock()
	if !until.IsZero() && t.now().Before(until) {
		return &tracker.Error{Code: tracker.CodeRateLimited, Msg: "GitLab rate limit: not sending until it resets", ResetAt: until}
	}
	resp, err := fn()
	if err == nil {
		return nil
	}
	if errors.Is(err, gl.ErrNotFound) {
		if notFound != "" {
			return tracker.Errorf(notFound, "GitLab %s: not found", op)
		}
		return tracker.Errorf(tracker.CodeTrackerStatus, "GitLab %s: HTTP 404", op)
	}
	var er *gl.ErrorResponse
	if !errors.As(err, &er) {
		var syntax *json.SyntaxError
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &syntax) || errors.As(err, &typeErr) || errors.Is(err, io.ErrUnexpectedEOF) {
			return tracker.Errorf(tracker.CodeTrackerResponse, "GitLab %s: unreadable response: %w", op, err)
		}
		return tracker.Errorf(tracker.CodeTrackerRequest, "GitLab %s: %w", op, err)
	}
	switch status := er.StatusCode; {
	case status == http.StatusTooManyRequests:
		reset := t.now().Add(fallbackBackoff)
		if resp != nil {
			if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs >= 0 {
				reset = t.now().Add(time.Duration(secs) * time.Second)
			}
		}
		t.mu.Lock()
		if reset.After(t.blockedUntil) {
			t.blockedUntil = reset
		}
		t.mu.Unlock()
		return &tracker.Error{Code: tracker.CodeRateLimited, Msg: "GitLab " + op + ": rate limited (HTTP 429)", ResetAt: reset}
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e := tracker.Errorf(tracker.CodeTrackerStatus, "GitLab %s: HTTP %d (check GITLAB_TOKEN)", op, status)
		e.Err = tracker.ErrAuthRejected
		return e
	default:
		return tracker.Errorf(tracker.CodeTrackerStatus, "GitLab %s: HTTP %d: %s", op, status, er.Message)
	}
}

// ViewerID returns the token user's username, which "me" stands for.
func (t *Tracker) ViewerID(ctx context.Context) (string, error) {
	t.mu.Lock()
	v := t.viewer
	t.mu.Unlock()
	if v != "" {
		return v, nil
	}
	var u *gl.User
	err := t.call("current user", "", func() (resp *gl.Response, err error) {
		u, resp, err = t.client.Users.CurrentUser(gl.WithContext(ctx))
		return resp, err
	})
	if err != nil {
		return "", err
	}
	t.mu.Lock()
	t.viewer = u.Username
	t.mu.Unlock()
	return u.Username, nil
}

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

// identifier is GitLab's own reference, group/project#iid.
func (t *Tracker) identifier(iid int64) string { return t.project + "#" + strconv.FormatInt(iid, 10) }

func (t *Tracker) parseIdentifier(id string) (int64, error) {
	project, num, ok := strings.Cut(strings.TrimSpace(id), "#")
	iid, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || iid <= 0 || !strings.EqualFold(project, t.project) {
		return 0, tracker.Errorf(tracker.CodeIssueNotFound, "%q is not an issue of %s (%s#iid)", id, t.project, t.project)
	}
	return iid, nil
}

func (t *Tracker) stateOf(gi *gl.Issue) string {
	if gi.State == "closed" {
		return StateClosed
	}
	for _, s := range t.states {
		if slices.ContainsFunc(gi.Labels, func(l string) bool { return strings.EqualFold(l, t.stateLabels[s]) }) {
			return s
		}
	}
	return StateOpen
}

func (t *Tracker) normalize(gi *gl.Issue, viewer string) issue.Issue {
	is := issue.Issue{ID: t.identifier(gi.IID), Identifier: t.identifier(gi.IID), Title: gi.Title, Description: gi.Description,
		State: t.stateOf(gi), URL: gi.WebURL, CreatedAt: gi.CreatedAt, UpdatedAt: gi.UpdatedAt,
		Project: &issue.Project{ID: t.project, Name: t.project, SlugID: t.project}}
	seen := map[string]bool{}
	for _, l := range gi.Labels {
		l = strings.ToLower(strings.TrimSpace(l))
		if l != "" && !seen[l] {
			seen[l] = true
			is.Labels = append(is.Labels, l)
		}
	}
	for i, a := range gi.Assignees {
		if i == 0 || strings.EqualFold(a.Username, viewer) {
			is.AssigneeID = a.Username
		}
	}
	is.AssignedToWorker = t.settings.Scope.Assigned(is.AssigneeID, viewer)
	return is
}
