package config

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/yamlschema"
)

func TestJiraConfigFallsBackToEnvironmentAndRedactsTheToken(t *testing.T) {
	c := mustLoad(t, "issues:\n  provider: jira\n  jira: {project_key: ENG, assignee: me}\n  states: {active: [To Do], terminal: [Done]}\nrepositories: [{key: app}]\n"+githubAgent,
		map[string]string{"JIRA_BASE_URL": "https://acme.atlassian.net", "JIRA_EMAIL": "bot@acme.test", "JIRA_API_TOKEN": "jira-SECRET"})
	j := c.Issues.Jira
	if j.BaseURL != "https://acme.atlassian.net" || j.Email != "bot@acme.test" || j.APIToken != "jira-SECRET" || j.ProjectKey != "ENG" {
		t.Fatalf("issues.jira = %+v", j)
	}
	var b strings.Builder
	if err := c.WriteEffective(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "jira-SECRET") {
		t.Fatalf("the effective config shows the Jira token:\n%s", b.String())
	}
}

func TestJiraConfigProblems(t *testing.T) {
	env := map[string]string{"JIRA_EMAIL": "bot@acme.test", "JIRA_API_TOKEN": "t"}
	cases := []struct{ name, yml, path, want string }{
		{"plain http", "issues:\n  provider: jira\n  jira: {base_url: 'http://acme.atlassian.net', project_key: ENG}\n  states: {active: [To Do], terminal: [Done]}\n", "issues.jira.base_url", "plain http"},
		{"bad key", "issues:\n  provider: jira\n  jira: {base_url: 'https://a.test', project_key: eng}\n  states: {active: [To Do], terminal: [Done]}\n", "issues.jira.project_key", "project key"},
		{"no token", "issues:\n  provider: jira\n  jira: {base_url: 'https://a.test', project_key: ENG, api_token: ''}\n  states: {active: [To Do], terminal: [Done]}\n", "issues.jira.api_token", "JIRA_API_TOKEN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.yml+"repositories: [{key: app}]\n"+githubAgent, env)
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

func TestJiraStatesDefaultToJiraNames(t *testing.T) {
	env := map[string]string{"JIRA_BASE_URL": "https://acme.atlassian.net", "JIRA_EMAIL": "bot@acme.test", "JIRA_API_TOKEN": "t"}
	tests := []struct {
		name, yml  string
		active     []string
		startState string
	}{
		{"jira without states", "issues:\n  provider: jira\n  jira: {project_key: ENG}\n", []string{"To Do", "In Progress"}, "To Do"},
		{"jira with its own states", "issues:\n  provider: jira\n  jira: {project_key: ENG}\n  states: {active: [Selected, Doing]}\n", []string{"Selected", "Doing"}, "To Do"},
		{"github keeps Todo", "issues:\n  provider: github\n  github: {repos: [octo/app]}\n", []string{"Todo", "In Progress"}, "Todo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := env
			if strings.Contains(tt.yml, "github") {
				env = map[string]string{"GH_TOKEN": "ghp_test"}
			}
			c := mustLoad(t, tt.yml+"repositories: [{key: app}]\n"+githubAgent, env)
			if got := c.Issues.States.Active; strings.Join(got, ",") != strings.Join(tt.active, ",") {
				t.Errorf("active states %q, want %q", got, tt.active)
			}
			if !slices.Contains(c.Issues.States.Terminal, "Done") {
				t.Errorf("terminal states %q lack Done", c.Issues.States.Terminal)
			}
			if got := c.StartState(); got != tt.startState {
				t.Errorf("start state %q, want %q", got, tt.startState)
			}
		})
	}
}
