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
	view := *c
	view.Issues.Linear.APIKey = redactIfSet(c.Issues.Linear.APIKey)
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
	out, err := yaml.MarshalWithOptions(view, yaml.IndentSequence(true))
	if err != nil {
		return fmt.Errorf("render effective config: %w", err)
	}
	if _, err := w.Write(out); err != nil {
		return err
	}
	fmt.Fprintln(w, "# resolved per repository")
	for _, r := range c.Repositories {
		fmt.Fprintf(w, "# %s: workflow %s, strategy %s", r.Key, r.WorkflowPath, r.Strategy)
		if r.SourceRepo != "" {
			fmt.Fprintf(w, ", source %s, fetch_before_dispatch %t", r.SourceRepo, r.FetchBeforeDispatch)
		}
		fmt.Fprintf(w, ", hooks timeout %dms", r.Settings.Hooks.TimeoutMs)
		h := r.Settings.Hooks
		for _, hook := range [][2]string{{"after_create", h.AfterCreate}, {"before_run", h.BeforeRun}, {"after_run", h.AfterRun}, {"before_remove", h.BeforeRemove}} {
			if hook[1] != "" {
				fmt.Fprintf(w, ", %s set", hook[0])
			}
		}
		fmt.Fprintln(w)
	}
	return nil
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
