package config

import (
	"fmt"
	"io"

	"github.com/goccy/go-yaml"
)

const redacted = "[redacted]"

// WriteEffective prints the effective configuration as YAML with every secret replaced, then
// each repository's resolved workflow path, population settings and hooks.
func (c *Config) WriteEffective(w io.Writer) error {
	out, err := yaml.MarshalWithOptions(c.redacted(), yaml.IndentSequence(true))
	if err != nil {
		return fmt.Errorf("render effective config: %w", err)
	}
	if _, err := w.Write(out); err != nil {
		return err
	}
	fmt.Fprintln(w, "# resolved per repository")
	for _, r := range c.Resolved() {
		fmt.Fprintf(w, "# %s: workflow %s, strategy %s", r.Key, r.Workflow, r.Strategy)
		if r.Source != "" {
			fmt.Fprintf(w, ", source %s, fetch_before_dispatch %t", r.Source, r.FetchBeforeDispatch)
		}
		fmt.Fprintf(w, ", hooks timeout %dms", r.HooksTimeoutMs)
		for _, hook := range r.HooksSet {
			fmt.Fprintf(w, ", %s set", hook)
		}
		fmt.Fprintln(w)
	}
	return nil
}

// EffectiveValues is the effective configuration WriteEffective prints, secrets redacted, as
// plain maps and lists (YAML keys) for JSON output.
func (c *Config) EffectiveValues() (map[string]any, error) {
	out, err := yaml.Marshal(c.redacted())
	if err != nil {
		return nil, fmt.Errorf("render effective config: %w", err)
	}
	values := map[string]any{}
	if err := yaml.Unmarshal(out, &values); err != nil {
		return nil, fmt.Errorf("render effective config: %w", err)
	}
	return values, nil
}

// ResolvedRepository is what loading settled for one repository beyond its YAML keys.
type ResolvedRepository struct {
	Key                 string   `json:"key"`
	Workflow            string   `json:"workflow"`
	Strategy            string   `json:"strategy"`
	Source              string   `json:"source,omitempty"`
	FetchBeforeDispatch bool     `json:"fetch_before_dispatch"`
	HooksTimeoutMs      int      `json:"hooks_timeout_ms"`
	HooksSet            []string `json:"hooks_set"`
}

// Resolved lists each repository's resolved workflow path, population settings and hooks.
func (c *Config) Resolved() []ResolvedRepository {
	out := make([]ResolvedRepository, 0, len(c.Repositories))
	for _, r := range c.Repositories {
		h := r.Settings.Hooks
		rr := ResolvedRepository{Key: r.Key, Workflow: r.WorkflowPath, Strategy: r.Strategy, Source: r.SourceRepo,
			FetchBeforeDispatch: r.SourceRepo != "" && r.FetchBeforeDispatch, HooksTimeoutMs: h.TimeoutMs, HooksSet: []string{}}
		for _, hook := range [][2]string{{"after_create", h.AfterCreate}, {"before_run", h.BeforeRun}, {"after_run", h.AfterRun}, {"before_remove", h.BeforeRemove}} {
			if hook[1] != "" {
				rr.HooksSet = append(rr.HooksSet, hook[0])
			}
		}
		out = append(out, rr)
	}
	return out
}

// redacted is a copy of the configuration with every secret replaced.
func (c *Config) redacted() Config {
	view := *c
	view.Issues.Linear.APIKey = redactIfSet(c.Issues.Linear.APIKey)
	view.Issues.Jira.APIToken = redactIfSet(c.Issues.Jira.APIToken)
	view.Notifications.Channels = make([]Channel, len(c.Notifications.Channels))
	for i, ch := range c.Notifications.Channels {
		ch.WebhookURL, ch.URL = redactIfSet(ch.WebhookURL), redactIfSet(ch.URL)
		ch.Headers = redactValues(ch.Headers)
		view.Notifications.Channels[i] = ch
	}
	view.Agent.MCP.Servers = make(map[string]MCPServer, len(c.Agent.MCP.Servers))
	for name, s := range c.Agent.MCP.Servers {
		s.Env, s.Headers = redactValues(s.Env), redactValues(s.Headers)
		view.Agent.MCP.Servers[name] = s
	}
	return view
}

func redactIfSet(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

func redactValues(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = redactIfSet(v)
	}
	return out
}
