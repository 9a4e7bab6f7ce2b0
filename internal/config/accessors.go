package config

import (
	"fmt"
	"strings"
)

// Primary returns the repository used when no route applies: the one marked default, else
// the first (SPEC §5.1).
func (c *Config) Primary() *Repository {
	for i := range c.Repositories {
		if c.Repositories[i].Default {
			return &c.Repositories[i]
		}
	}
	if len(c.Repositories) == 0 {
		return nil
	}
	return &c.Repositories[0]
}

// Repo returns the repository with key, or nil.
func (c *Config) Repo(key string) *Repository {
	for i := range c.Repositories {
		if c.Repositories[i].Key == key {
			return &c.Repositories[i]
		}
	}
	return nil
}

// Secrets returns every configured secret value, so logs, audit records and prompts can
// scrub them verbatim.
func (c *Config) Secrets() []string {
	var out []string
	add := func(s string) {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	add(c.Issues.Linear.APIKey)
	for _, ch := range c.Notifications.Channels {
		add(ch.WebhookURL)
		add(ch.URL)
		for _, v := range ch.Headers {
			add(v)
		}
	}
	for _, s := range c.Agent.MCP.Servers {
		for _, v := range s.Env {
			add(v)
		}
		for _, v := range s.Headers {
			add(v)
		}
	}
	return out
}

// Warnings are valid settings worth an operator's attention.
func (c *Config) Warnings() []string {
	var out []string
	if c.Agent.Runtime == "codex" && !strings.Contains(c.Agent.Command, "app-server") {
		out = append(out, "agent.command does not mention app-server; the codex runtime expects a command that starts `codex app-server` on stdio")
	}
	if w := c.BudgetWarning(); w != "" {
		out = append(out, w)
	}
	if c.emptyAttachmentHosts != "" {
		out = append(out, fmt.Sprintf("%s: %s is empty, so the default %s applies; list the hosts agents may attach links to",
			c.emptyAttachmentHosts, attachmentHostsKey, strings.Join(DefaultAllowedAttachmentHosts, ", ")))
	}
	return out
}

// BudgetWarning is non-empty when a token budget is set with an agent command that may not
// report usage, so the budget may never trigger.
func (c *Config) BudgetWarning() string {
	l := c.Agent.Limits
	dollars := l.DollarsPerIssue != nil || l.DollarsPerDay != nil
	if (l.TokensPerIssue != nil || l.TokensPerDay != nil || dollars) && !reportsUsage(c.Agent.Command) {
		return "a token or dollar budget is set but agent.command may not report token usage, so the budget may never trigger"
	}
	if dollars && len(c.Agent.Pricing) == 0 && c.Agent.Runtime != "claude" {
		return "a dollar budget is set but agent.pricing is empty and only the claude runtime reports its own cost, so the budget may never trigger"
	}
	return ""
}

// reportsUsage is true for the agent commands known to emit token usage events.
func reportsUsage(command string) bool {
	return strings.Contains(command, "codex") || strings.Contains(command, "claude")
}
