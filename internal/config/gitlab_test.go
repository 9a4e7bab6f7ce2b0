package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/yamlschema"
)

func TestGitLabConfig(t *testing.T) {
	c := mustLoad(t, "issues:\n  provider: gitlab\n  gitlab:\n    project: group/app\n    state_labels: {Todo: 'workflow::todo'}\n"+
		"repositories: [{key: app}]\n"+githubAgent, nil)
	if g := c.Issues.GitLab; g.BaseURL != "https://gitlab.com" || g.Project != "group/app" || g.StateLabels["Todo"] != "workflow::todo" {
		t.Fatalf("issues.gitlab = %+v", g)
	}
	cases := []struct{ name, yml, path, want string }{
		{"plain http", "issues:\n  provider: gitlab\n  gitlab: {project: g/a, base_url: 'http://gitlab.example.com'}\n", "issues.gitlab.base_url", "plain http"},
		{"no project", "issues:\n  provider: gitlab\n  gitlab: {}\n", "issues.gitlab.project", "is required"},
		{"bad project", "issues:\n  provider: gitlab\n  gitlab: {project: app}\n", "issues.gitlab.project", "group/project"},
		{"builtin state", "issues:\n  provider: gitlab\n  gitlab:\n    project: g/a\n    state_labels: {open: x}\n", "issues.gitlab.state_labels.open", "without a label"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.yml+"repositories: [{key: app}]\n"+githubAgent, nil)
			var problems yamlschema.Errors
			if !errors.As(err, &problems) {
				t.Fatalf("err = %v", err)
			}
			for _, p := range problems {
				if p.Path == tc.path && strings.Contains(p.Msg, tc.want) && p.Line > 0 {
					return
				}
			}
			t.Fatalf("no problem at %s containing %q in %v", tc.path, tc.want, problems)
		})
	}
}
