package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// jiraProjectKey is Jira's project key rule: an uppercase letter, then uppercase letters,
// digits or underscores, maxJiraProjectKey characters at most. The length is checked apart:
// a {0,254} repetition compiles to a 200 KB program, which every symphony process would
// build at start-up.
var jiraProjectKey = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

const maxJiraProjectKey = 255

func isJiraProjectKey(key string) bool {
	return len(key) <= maxJiraProjectKey && jiraProjectKey.MatchString(key)
}

// resolveJira expands $VAR values and falls back to the JIRA_* environment variables for
// keys the file leaves out, as issues.linear.api_key falls back to LINEAR_API_KEY.
func (l *loader) resolveJira() {
	j := &l.cfg.Issues.Jira
	for _, f := range []struct {
		key, env string
		v        *string
	}{
		{"issues.jira.base_url", "JIRA_BASE_URL", &j.BaseURL},
		{"issues.jira.email", "JIRA_EMAIL", &j.Email},
		{"issues.jira.api_token", "JIRA_API_TOKEN", &j.APIToken},
	} {
		*f.v = l.resolveVar(*f.v)
		if *f.v == "" && !l.has(f.key) {
			*f.v, _ = l.env(f.env)
		}
	}
	j.Assignee = l.resolveVar(j.Assignee)
	if l.cfg.isJira() && !l.has("issues.states.active") {
		l.cfg.Issues.States.Active = []string{JiraStartState, DefaultReworkState}
	}
}

func (c *Config) isJira() bool {
	return strings.EqualFold(strings.TrimSpace(c.Issues.Provider), "jira")
}

// StartState is the state an issue is moved out of (to "In Progress") when its first turn
// starts: "To Do" for Jira, whose default workflow names it so, else "Todo".
func (c *Config) StartState() string {
	if c.isJira() {
		return JiraStartState
	}
	return DefaultStartState
}

// validateJira checks issues.jira.* for provider jira.
func (l *loader) validateJira() {
	j := l.cfg.Issues.Jira
	if l.required("issues.jira.base_url", j.BaseURL) {
		if msg := baseURLProblem(j.BaseURL, "https://example.atlassian.net"); msg != "" {
			l.bad("issues.jira.base_url", msg)
		}
	}
	if strings.TrimSpace(j.Email) == "" {
		l.bad("issues.jira.email", "is required for provider jira: set it or export JIRA_EMAIL")
	}
	if strings.TrimSpace(j.APIToken) == "" {
		l.bad("issues.jira.api_token", "is required for provider jira: set it to $JIRA_API_TOKEN and export that variable (it is empty or unset)")
	}
	if l.required("issues.jira.project_key", j.ProjectKey) && !isJiraProjectKey(j.ProjectKey) {
		l.bad("issues.jira.project_key", "must be a Jira project key such as ENG, got "+quote(j.ProjectKey))
	}
	l.noBlankEntries("issues.jira.labels", j.Labels)
	for _, key := range []string{"issues.linear.scope", "issues.linear.assignee"} {
		if l.has(key) {
			l.bad(key, "selects Linear issues; provider jira uses issues.jira.labels and issues.jira.assignee")
		}
	}
	for i, r := range l.cfg.Repositories {
		if strings.TrimSpace(r.Route.Team) != "" || len(r.Route.Projects) > 0 {
			l.bad(fmt.Sprintf("repositories[%d].route", i), "provider jira polls one project; route issues with route.labels or route.assignee")
		}
	}
}

// baseURLProblem refuses a tracker base URL that is not https, except plain http to a
// loopback test server; example is shown in the message.
func baseURLProblem(raw, example string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "must be an https URL such as " + example + ", got " + quote(raw)
	}
	if u.User != nil {
		return "must not carry credentials in the URL"
	}
	if u.Scheme == "http" {
		host := u.Hostname()
		if ip := net.ParseIP(host); !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
			return "uses plain http to " + host + "; only https is allowed (http only for loopback test servers)"
		}
	}
	return ""
}
