package tracker

import "strings"

// Scope is the issue-level selection that applies to every route unless the route narrows or
// replaces it (issues.linear.scope and issues.linear.assignee in symphony.yml).
type Scope struct {
	// ProjectSlug selects a project by its slug id; a route with Projects replaces it.
	ProjectSlug string
	// Team is a team key (ENG) or team id (UUID); a route with Team replaces it.
	Team string
	// Labels match when an issue carries any of them; a route with Labels replaces them.
	Labels []string
	// Assignee is a user id or "me" (the API key's own user); a route Assignee replaces it.
	// It also decides AssignedToWorker on the by-id refresh.
	Assignee string
}

// Assigned reports whether an issue assigned to assigneeID still matches the issue-level
// assignee, which is what AssignedToWorker says on the by-id refresh. viewerID is what "me"
// stands for; no issue-level assignee matches every issue.
func (s Scope) Assigned(assigneeID, viewerID string) bool {
	want := s.Assignee
	if want == AssigneeMe {
		want = viewerID
	}
	return want == "" || assigneeID == want
}

// Route is one repository's selector (repositories[].route plus key and default).
type Route struct {
	Key string
	// Default marks the catch-all route: an issue it matches is routed to it only when no
	// other route matches the same issue.
	Default bool
	// Team is a team key or id; empty inherits Scope.Team.
	Team string
	// Projects match any of a project's name, slug id or id; empty inherits Scope.ProjectSlug.
	Projects []string
	// Labels must all be present on the issue; empty inherits Scope.Labels (any-of).
	Labels []string
	// Assignee is a user id or "me"; empty inherits Scope.Assignee.
	Assignee string
}

// Settings is everything a provider needs to select and classify issues.
type Settings struct {
	Scope          Scope
	Routes         []Route
	ActiveStates   []string
	TerminalStates []string
}

// AssigneeMe is the assignee value that stands for the API key's own user.
const AssigneeMe = "me"

// Validate checks the parts of the settings every provider relies on.
func (s Settings) Validate() error {
	if len(s.Routes) == 0 {
		return Errorf(CodeInvalidSettings, "tracker settings: at least one repository route is required")
	}
	if len(NonEmpty(s.ActiveStates)) == 0 {
		return Errorf(CodeInvalidSettings, "tracker settings: issues.states.active must name at least one state")
	}
	seen := map[string]bool{}
	defaults := 0
	for i, r := range s.Routes {
		key := strings.TrimSpace(r.Key)
		if key == "" {
			return Errorf(CodeInvalidSettings, "tracker settings: repositories[%d].key is empty", i)
		}
		if seen[key] {
			return Errorf(CodeInvalidSettings, "tracker settings: repositories[%d].key %q is used twice", i, key)
		}
		seen[key] = true
		if r.Default {
			defaults++
		}
	}
	if defaults > 1 {
		return Errorf(CodeInvalidSettings, "tracker settings: %d repositories set default: true; at most one may", defaults)
	}
	return nil
}

// Route returns the route with the given key.
func (s Settings) Route(key string) (Route, error) {
	for _, r := range s.Routes {
		if r.Key == key {
			return r, nil
		}
	}
	return Route{}, Errorf(CodeUnknownRoute, "no repository route has key %q", key)
}

// Effective is a route after the issue-level scope has been folded in: the exact selection a
// provider applies for that route.
type Effective struct {
	Team string
	// Projects, when set, replace ProjectSlug.
	Projects    []string
	ProjectSlug string
	Labels      []string
	// AllLabels is true for route labels (every label required) and false for scope labels
	// (any label suffices).
	AllLabels bool
	Assignee  string
}

// Effective folds the scope into route r: each route selector that is set replaces the
// corresponding scope selector, and unset ones inherit it.
func (s Settings) Effective(r Route) Effective {
	e := Effective{
		Team:     firstNonEmpty(r.Team, s.Scope.Team),
		Assignee: firstNonEmpty(r.Assignee, s.Scope.Assignee),
	}
	if projects := NonEmpty(r.Projects); len(projects) > 0 {
		e.Projects = projects
	} else {
		e.ProjectSlug = strings.TrimSpace(s.Scope.ProjectSlug)
	}
	if labels := NonEmpty(r.Labels); len(labels) > 0 {
		e.Labels, e.AllLabels = labels, true
	} else {
		e.Labels = NonEmpty(s.Scope.Labels)
	}
	return e
}

// Scoped reports whether the effective selection narrows the tracker at all.
func (e Effective) Scoped() bool {
	return e.Team != "" || len(e.Projects) > 0 || e.ProjectSlug != "" || len(e.Labels) > 0 || e.Assignee != ""
}

func (e Effective) String() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("team", e.Team)
	add("projects", strings.Join(e.Projects, ","))
	add("project_slug", e.ProjectSlug)
	if e.AllLabels {
		add("labels(all)", strings.Join(e.Labels, ","))
	} else {
		add("labels(any)", strings.Join(e.Labels, ","))
	}
	add("assignee", e.Assignee)
	if len(parts) == 0 {
		return "(unscoped)"
	}
	return strings.Join(parts, " ")
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// NonEmpty trims values and drops blanks and duplicates, keeping first-seen order.
func NonEmpty(values []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
	}
	return out
}
