package config

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// varRef matches a value that is exactly one environment reference: $NAME or ${NAME}.
var varRef = regexp.MustCompile(`^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})$`)

// envName returns NAME when v is exactly "$NAME" or "${NAME}".
func envName(v string) (string, bool) {
	m := varRef.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return "", false
	}
	if m[1] != "" {
		return m[1], true
	}
	return m[2], true
}

// resolveVar replaces a whole-value $VAR with its value; an unset or empty variable yields
// "" (treated as missing). Other text, including embedded "$X", is left alone.
func (l *loader) resolveVar(v string) string {
	name, ok := envName(v)
	if !ok {
		return v
	}
	val, _ := l.env(name)
	return val
}

// resolvePath expands $VAR, ~ and relative paths (against the directory of symphony.yml).
func (l *loader) resolvePath(key, v string) string {
	if strings.TrimSpace(v) == "" {
		return v
	}
	if name, ok := envName(v); ok {
		val, _ := l.env(name)
		if val == "" {
			l.bad(key, fmt.Sprintf("refers to $%s, which is not set", name))
			return ""
		}
		v = val
	}
	if v == "~" || strings.HasPrefix(v, "~/") {
		home, err := userHome(l.env)
		if err != nil {
			l.bad(key, "cannot expand ~: "+err.Error())
			return v
		}
		v = filepath.Join(home, strings.TrimPrefix(v, "~"))
	} else if strings.HasPrefix(v, "~") {
		l.bad(key, "~user paths are not supported; write the absolute path")
		return v
	}
	if !filepath.IsAbs(v) {
		v = filepath.Join(l.cfg.Dir, v)
	}
	return filepath.Clean(v)
}

func userHome(env Env) (string, error) {
	if h, ok := env("HOME"); ok && h != "" {
		return h, nil
	}
	return os.UserHomeDir()
}

// resolve applies $VAR and path resolution to the fields that take them (SPEC §6.1).
func (l *loader) resolve() {
	c := l.cfg
	c.Issues.Linear.APIKey = l.resolveVar(c.Issues.Linear.APIKey)
	if c.Issues.Linear.APIKey == "" && !l.has("issues.linear.api_key") {
		c.Issues.Linear.APIKey, _ = l.env("LINEAR_API_KEY")
	}
	c.Issues.Linear.Assignee = l.resolveVar(c.Issues.Linear.Assignee)
	if c.Issues.Linear.Assignee == "" && !l.has("issues.linear.assignee") {
		c.Issues.Linear.Assignee, _ = l.env("LINEAR_ASSIGNEE")
	}
	c.Issues.GitHub.Assignee = l.resolveVar(c.Issues.GitHub.Assignee)
	l.resolveJira()
	c.Issues.GitLab.Assignee = l.resolveVar(c.Issues.GitLab.Assignee)
	if c.Issues.Local.Dir != "" {
		c.Issues.Local.Dir = l.resolvePath("issues.local.dir", c.Issues.Local.Dir)
	}
	l.checkRemoteRoot()
	c.Workspaces.Root = l.resolvePath("workspaces.root", c.Workspaces.Root)
	if c.Workspaces.Repo != "" {
		c.Workspaces.Repo = l.resolvePath("workspaces.repo", c.Workspaces.Repo)
	}
	for i := range c.Repositories {
		r := &c.Repositories[i]
		prefix := fmt.Sprintf("repositories[%d]", i)
		if strings.TrimSpace(r.Workflow) != "" {
			r.WorkflowPath = l.resolvePath(prefix+".workflow", r.Workflow)
		}
		if r.Workspace.Repo != "" {
			r.Workspace.Repo = l.resolvePath(prefix+".workspace.repo", r.Workspace.Repo)
		}
		r.Route.Assignee = l.resolveVar(r.Route.Assignee)
	}
	fs := &c.Agent.Permissions.Filesystem
	for i, p := range fs.AllowReadPaths {
		fs.AllowReadPaths[i] = l.resolveListPath(fmt.Sprintf("agent.permissions.filesystem.allow_read_paths[%d]", i), p)
	}
	for i, p := range fs.AllowWritePaths {
		fs.AllowWritePaths[i] = l.resolveListPath(fmt.Sprintf("agent.permissions.filesystem.allow_write_paths[%d]", i), p)
	}
	for i := range c.Notifications.Channels {
		ch := &c.Notifications.Channels[i]
		ch.WebhookURL = l.resolveVar(ch.WebhookURL)
		ch.URL = l.resolveVar(ch.URL)
		ch.Headers = l.resolveMap(ch.Headers)
	}
	for name, s := range c.Agent.MCP.Servers {
		l.refuseLiteralMCPSecrets(name, s)
		s.Env = l.resolveMap(s.Env)
		s.Headers = l.resolveMap(s.Headers)
		c.Agent.MCP.Servers[name] = s
	}
}

// resolveListPath resolves a sandbox path entry; blank entries stay blank and are dropped by
// normalization.
func (l *loader) resolveListPath(key, p string) string {
	if strings.TrimSpace(p) == "" {
		return ""
	}
	return l.resolvePath(key, strings.TrimSpace(p))
}

// resolveMap expands whole-value $NAME entries of MCP env/header maps: a set variable
// substitutes, an empty one drops the entry, a missing one keeps the literal so the server's
// own start-up reports it.
func (l *loader) resolveMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return m
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		name, ok := envName(v)
		if !ok {
			out[k] = v
			continue
		}
		val, set := l.env(name)
		switch {
		case !set:
			out[k] = v
		case val != "":
			out[k] = val
		}
	}
	return out
}
