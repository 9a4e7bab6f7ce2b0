package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/yamlschema"
)

const githubAgent = "agent: {runtime: codex, command: codex app-server}\n"

func TestGitHubIssuesConfigLoads(t *testing.T) {
	c := mustLoad(t, "issues:\n  provider: github\n  github:\n    repos: [octo/app, octo/lib]\n    state_labels: {Todo: 'symphony:todo', In Review: 'symphony:in-review'}\n    priority_labels: {'p:urgent': 1}\n    assignee: $WHO\n"+
		"repositories:\n  - {key: app, route: {projects: [octo/app]}}\n  - {key: lib, route: {projects: [octo/lib]}}\n"+githubAgent, map[string]string{"WHO": "me"})
	g := c.Issues.GitHub
	if len(g.Repos) != 2 || g.StateLabels["In Review"] != "symphony:in-review" || g.PriorityLabels["p:urgent"] != 1 || g.Assignee != "me" {
		t.Fatalf("issues.github = %+v", g)
	}
}

func TestGitHubIssuesConfigProblemsNameTheKeyAndLine(t *testing.T) {
	cases := []struct {
		name, yml, path, want string
		line                  int
	}{
		{"no repos", "issues:\n  provider: github\n  github: {}\nrepositories: [{key: app}]\n", "issues.github.repos", "at least one repository", 3},
		{"bad repo", "issues:\n  provider: github\n  github:\n    repos: [octo]\nrepositories: [{key: app}]\n", "issues.github.repos[0]", "owner/repo", 4},
		{"builtin state", "issues:\n  provider: github\n  github:\n    repos: [o/r]\n    state_labels:\n      Closed: done\nrepositories: [{key: app}]\n", "issues.github.state_labels.Closed", "without a label", 6},
		{"label twice", "issues:\n  provider: github\n  github:\n    repos: [o/r]\n    state_labels: {A: x, B: X}\nrepositories: [{key: app}]\n", "issues.github.state_labels.B", "already marks state", 5},
		{"team route", "issues:\n  provider: github\n  github: {repos: [o/r]}\nrepositories:\n  - key: app\n    route: {team: ENG}\n", "repositories[0].route.team", "no teams", 6},
		{"unknown project", "issues:\n  provider: github\n  github: {repos: [o/r]}\nrepositories:\n  - key: app\n    route:\n      projects: [o/other]\n", "repositories[0].route.projects[0]", "not in issues.github.repos", 7},
		{"linear scope", "issues:\n  provider: github\n  github: {repos: [o/r]}\n  linear:\n    scope: {team: ENG}\nrepositories: [{key: app}]\n", "issues.linear.scope", "selects Linear issues", 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.yml+githubAgent, nil)
			var problems yamlschema.Errors
			if !errors.As(err, &problems) {
				t.Fatalf("err = %v, want problems", err)
			}
			for _, p := range problems {
				if p.Path == tc.path {
					if !strings.Contains(p.Msg, tc.want) || p.Line != tc.line {
						t.Fatalf("problem %q at line %d, want %q at line %d", p.Msg, p.Line, tc.want, tc.line)
					}
					return
				}
			}
			t.Fatalf("no problem at %s in %v", tc.path, problems)
		})
	}
}
