package tracker

import (
	"slices"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/issue"
)

func issues(ids ...string) []issue.Issue {
	out := make([]issue.Issue, 0, len(ids))
	for _, id := range ids {
		out = append(out, issue.Issue{ID: id, Identifier: "X-" + id})
	}
	return out
}

func TestAggregate(t *testing.T) {
	web := Route{Key: "web"}
	api := Route{Key: "api"}
	ops := Route{Key: "ops", Default: true}
	tests := []struct {
		name          string
		results       []RouteResult
		wantRouted    map[string]string
		wantConflicts map[string][]string
	}{
		{
			name:       "one route each",
			results:    []RouteResult{{web, issues("1")}, {api, issues("2")}},
			wantRouted: map[string]string{"X-1": "web", "X-2": "api"},
		},
		{
			name:          "two routes match the same issue",
			results:       []RouteResult{{web, issues("1", "2")}, {api, issues("2")}},
			wantRouted:    map[string]string{"X-1": "web"},
			wantConflicts: map[string][]string{"X-2": {"api", "web"}},
		},
		{
			name:       "default route yields to a specific route",
			results:    []RouteResult{{ops, issues("1", "2")}, {web, issues("1")}},
			wantRouted: map[string]string{"X-1": "web", "X-2": "ops"},
		},
		{
			name:          "default does not settle a conflict",
			results:       []RouteResult{{ops, issues("1")}, {web, issues("1")}, {api, issues("1")}},
			wantConflicts: map[string][]string{"X-1": {"api", "web"}},
		},
		{
			name:       "duplicate rows within one route count once",
			results:    []RouteResult{{web, issues("1", "1")}},
			wantRouted: map[string]string{"X-1": "web"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Aggregate(tt.results)
			routed := map[string]string{}
			for _, is := range got.Dispatchable {
				routed[is.Identifier] = is.RepoKey
				if len(is.ConflictRepoKeys) != 0 {
					t.Fatalf("%s dispatchable with conflict keys %v", is.Identifier, is.ConflictRepoKeys)
				}
			}
			conflicts := map[string][]string{}
			for _, is := range got.Conflicts {
				conflicts[is.Identifier] = is.ConflictRepoKeys
				if is.RepoKey != "" {
					t.Fatalf("conflict %s has repo key %q", is.Identifier, is.RepoKey)
				}
			}
			if len(routed) != len(tt.wantRouted) || len(got.Dispatchable) != len(tt.wantRouted) {
				t.Fatalf("routed = %v, want %v", routed, tt.wantRouted)
			}
			for k, v := range tt.wantRouted {
				if routed[k] != v {
					t.Fatalf("routed = %v, want %v", routed, tt.wantRouted)
				}
			}
			if len(conflicts) != len(tt.wantConflicts) {
				t.Fatalf("conflicts = %v, want %v", conflicts, tt.wantConflicts)
			}
			for k, v := range tt.wantConflicts {
				if !slices.Equal(conflicts[k], v) {
					t.Fatalf("conflicts = %v, want %v", conflicts, tt.wantConflicts)
				}
			}
		})
	}
}

func TestEffectiveFoldsScopeIntoRoute(t *testing.T) {
	s := Settings{Scope: Scope{ProjectSlug: "slug", Team: "ENG", Labels: []string{"a", "b"}, Assignee: "me"}}
	inherit := s.Effective(Route{Key: "x"})
	if inherit.Team != "ENG" || inherit.ProjectSlug != "slug" || inherit.AllLabels || !slices.Equal(inherit.Labels, []string{"a", "b"}) || inherit.Assignee != "me" {
		t.Fatalf("unset route selectors must inherit the scope: %+v", inherit)
	}
	own := s.Effective(Route{Key: "x", Team: "OPS", Projects: []string{"P", " ", "P"}, Labels: []string{"c"}, Assignee: "u1"})
	if own.Team != "OPS" || own.ProjectSlug != "" || !slices.Equal(own.Projects, []string{"P"}) || !own.AllLabels || !slices.Equal(own.Labels, []string{"c"}) || own.Assignee != "u1" {
		t.Fatalf("route selectors must replace the scope: %+v", own)
	}
	if (Effective{}).Scoped() || !own.Scoped() {
		t.Fatal("Scoped wrong")
	}
}

func TestEffectiveMatches(t *testing.T) {
	is := issue.Issue{
		Team:       &issue.Team{ID: "t-1", Key: "ENG"},
		Project:    &issue.Project{ID: "p-1", Name: "Web", SlugID: "web-1"},
		Labels:     []string{"frontend", "bug"},
		AssigneeID: "u-me",
	}
	tests := []struct {
		name string
		sel  Effective
		want bool
	}{
		{"unscoped", Effective{}, true},
		{"team key case-insensitive", Effective{Team: "eng"}, true},
		{"team id", Effective{Team: "t-1"}, true},
		{"other team", Effective{Team: "OPS"}, false},
		{"project by name", Effective{Projects: []string{"Web"}}, true},
		{"project by id", Effective{Projects: []string{"x", "p-1"}}, true},
		{"project slug", Effective{ProjectSlug: "web-1"}, true},
		{"wrong slug", Effective{ProjectSlug: "web"}, false},
		{"all labels present", Effective{Labels: []string{"Frontend", "BUG"}, AllLabels: true}, true},
		{"one label missing", Effective{Labels: []string{"frontend", "ux"}, AllLabels: true}, false},
		{"any label", Effective{Labels: []string{"ux", "bug"}}, true},
		{"no label", Effective{Labels: []string{"ux"}}, false},
		{"assignee me", Effective{Assignee: "me"}, true},
		{"assignee other", Effective{Assignee: "u-2"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.sel.Matches(is, "u-me"); got != tt.want {
				t.Fatalf("Matches(%+v) = %v, want %v", tt.sel, got, tt.want)
			}
		})
	}
	if (Effective{Assignee: "me"}).Matches(is, "") {
		t.Fatal("\"me\" without a known viewer must not match")
	}
}

func TestSettingsValidate(t *testing.T) {
	ok := Settings{Routes: []Route{{Key: "a"}}, ActiveStates: []string{"Todo"}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid settings rejected: %v", err)
	}
	tests := []struct {
		name string
		s    Settings
		want string
	}{
		{"no routes", Settings{ActiveStates: []string{"Todo"}}, "at least one repository route"},
		{"no active states", Settings{Routes: []Route{{Key: "a"}}}, "issues.states.active"},
		{"empty key", Settings{Routes: []Route{{Key: " "}}, ActiveStates: []string{"Todo"}}, "repositories[0].key is empty"},
		{"duplicate key", Settings{Routes: []Route{{Key: "a"}, {Key: "a"}}, ActiveStates: []string{"Todo"}}, `repositories[1].key "a" is used twice`},
		{"two defaults", Settings{Routes: []Route{{Key: "a", Default: true}, {Key: "b", Default: true}}, ActiveStates: []string{"Todo"}}, "at most one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate()
			if !IsCode(err, CodeInvalidSettings) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %s mentioning %q", err, CodeInvalidSettings, tt.want)
			}
		})
	}
}

func TestScopeAssigned(t *testing.T) {
	cases := []struct {
		scope, assignee, viewer string
		want                    bool
	}{
		{"", "anyone", "", true},
		{"", "", "", true},
		{"u1", "u1", "", true},
		{"u1", "u2", "", false},
		{"u1", "", "", false},
		{AssigneeMe, "viewer", "viewer", true},
		{AssigneeMe, "u2", "viewer", false},
	}
	for _, c := range cases {
		if got := (Scope{Assignee: c.scope}).Assigned(c.assignee, c.viewer); got != c.want {
			t.Errorf("Scope{Assignee: %q}.Assigned(%q, %q) = %v, want %v", c.scope, c.assignee, c.viewer, got, c.want)
		}
	}
}
