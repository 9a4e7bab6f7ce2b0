package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

func (l *loader) validatePermissions() {
	a := l.cfg.Agent
	p := a.Permissions
	// approval_policy values are checked by the sandbox layer (validateSandbox), which owns the
	// translation to the installed Codex's forms.
	l.oneOf("agent.permissions.filesystem.sandbox", p.Filesystem.Sandbox, "read-only", "workspace-write", "danger-full-access")
	if tp := p.Filesystem.TurnPolicy; tp != nil {
		typ, _ := tp["type"].(string)
		l.oneOf("agent.permissions.filesystem.turn_policy.type", typ, "workspaceWrite", "readOnly", "dangerFullAccess", "externalSandbox")
		if roots, ok := tp["writableRoots"]; ok {
			if _, isList := roots.([]any); !isList {
				l.bad("agent.permissions.filesystem.turn_policy.writableRoots", "must be a list of paths")
			}
		}
	}
	l.oneOf("agent.permissions.network.mode", p.Network.Mode, "allowlist", "open", "block")
	for _, list := range []struct {
		key     string
		entries []string
	}{{"allowed_domains", p.Network.AllowedDomains}, {"denied_domains", p.Network.DeniedDomains}} {
		for i, d := range list.entries {
			if !validDomainEntry(d) {
				l.bad(fmt.Sprintf("agent.permissions.network.%s[%d]", list.key, i), fmt.Sprintf("must be a host name such as registry.npmjs.org or *.example.com, optionally with :port (1-65535), got %q", d))
			}
		}
	}
	os := p.OuterSandbox
	l.oneOf("agent.permissions.outer_sandbox.runtime", os.Runtime, "none", "srt")
	if os.Runtime == "srt" {
		l.required("agent.permissions.outer_sandbox.command", os.Command)
		if a.Runtime != "codex" {
			l.bad("agent.permissions.outer_sandbox.runtime", fmt.Sprintf("srt wraps only the codex runtime, but agent.runtime is %q", a.Runtime))
		}
		if p.Network.Mode == "open" {
			l.bad("agent.permissions.outer_sandbox.runtime", "srt cannot express unrestricted network; with srt use agent.permissions.network.mode allowlist or block")
		}
		if len(l.cfg.Workers.SSHHosts) > 0 {
			l.bad("agent.permissions.outer_sandbox.runtime", "srt runs only on this host: its settings file is written locally, so it cannot be combined with workers.ssh_hosts")
		}
	}
}

func (l *loader) validateMCP() {
	m := l.cfg.Agent.MCP
	runtime := l.cfg.Agent.Runtime
	l.oneOf("agent.mcp.inherit", m.Inherit, "none", "allowlist", "all")
	switch m.Inherit {
	case "allowlist":
		if len(uniqueNonBlank(m.AllowedServers)) == 0 {
			l.bad("agent.mcp.allowed_servers", "must name at least one server when inherit is allowlist")
		}
		if slices.Contains(m.AllowedServers, "symphony") {
			l.bad("agent.mcp.allowed_servers", "symphony is Symphony's built-in server and cannot be inherited")
		}
	case "none", "all":
		if len(m.AllowedServers) > 0 {
			l.bad("agent.mcp.allowed_servers", fmt.Sprintf("only applies to inherit: allowlist (inherit is %s)", m.Inherit))
		}
	}
	if m.Inherit == "all" && runtime == "claude" {
		l.bad("agent.mcp.inherit", "`all` is supported only for the codex runtime; list servers with inherit: allowlist")
	}
	if m.Inherit != "none" && len(l.cfg.Workers.SSHHosts) > 0 && runtime == "codex" {
		l.bad("agent.mcp.inherit", "remote codex workers cannot inherit this host's MCP servers; declare them under agent.mcp.servers")
	}
	for name, s := range m.Servers {
		prefix := "agent.mcp.servers." + name
		if name == "symphony" {
			l.bad(prefix, "the name symphony is reserved for Symphony's built-in server")
			continue
		}
		l.oneOf(prefix+".transport", s.Transport, "stdio", "http", "sse")
		if len(s.Runtimes) == 0 {
			l.bad(prefix+".runtimes", "must list at least one runtime (claude, codex)")
		}
		for _, r := range s.Runtimes {
			l.oneOf(prefix+".runtimes", r, "claude", "codex")
		}
		switch s.Transport {
		case "stdio":
			l.required(prefix+".command", s.Command)
		case "http", "sse":
			l.required(prefix+".url", s.URL)
			if slices.Contains(s.Runtimes, "codex") {
				l.bad(prefix+".transport", fmt.Sprintf("codex reaches MCP servers over stdio only; set runtimes: [claude] for a %s server", s.Transport))
			}
		}
	}
}

// validDomainEntry accepts "host" or "host:port". Whether a port can be enforced depends on
// the sandbox layer, which the sandbox package decides (validateSandbox reports it).
func validDomainEntry(d string) bool {
	host, port, hasPort := strings.Cut(d, ":")
	if host == "" || strings.ContainsAny(host, "/ ") {
		return false
	}
	if !hasPort {
		return true
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535 && strconv.Itoa(n) == port
}
