package config

import (
	"fmt"
	"slices"
	"strings"
)

// Codex approval policies accepted as strings; `never` is rejected for Codex (SPEC §6.3)
// because unattended runs must say so explicitly with auto_approve_all.
var approvalPolicyStrings = []string{"untrusted", "on-failure", "on-request", "never", "auto_approve_all"}

func (l *loader) validatePermissions() {
	a := l.cfg.Agent
	p := a.Permissions
	switch v := p.ApprovalPolicy.(type) {
	case nil:
	case string:
		l.oneOf("agent.permissions.approval_policy", v, approvalPolicyStrings...)
		if v == "never" && a.Runtime == "codex" {
			l.bad("agent.permissions.approval_policy", "`never` is not accepted with runtime codex; use auto_approve_all for unattended auto-approval, or leave it out for the safe reject-map default")
		}
	case map[string]any:
		l.validateApprovalObject(v)
	default:
		l.bad("agent.permissions.approval_policy", "must be a policy name or a {reject: {...}} object")
	}
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
	for _, d := range append(append([]string(nil), p.Network.AllowedDomains...), p.Network.DeniedDomains...) {
		if strings.ContainsAny(d, "/: ") {
			l.bad("agent.permissions.network", fmt.Sprintf("domains must be host names such as registry.npmjs.org or *.example.com, got %q", d))
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

func (l *loader) validateApprovalObject(v map[string]any) {
	const path = "agent.permissions.approval_policy"
	if len(v) != 1 {
		l.bad(path, "an object policy must have exactly one key, reject")
		return
	}
	reject, ok := v["reject"].(map[string]any)
	if !ok {
		l.bad(path, "an object policy must be {reject: {sandbox_approval: bool, rules: bool, mcp_elicitations: bool}}")
		return
	}
	for k, val := range reject {
		if !slices.Contains([]string{"sandbox_approval", "rules", "mcp_elicitations", "request_permissions", "skill_approval"}, k) {
			l.bad(path+".reject."+k, "unknown reject category")
			continue
		}
		if _, isBool := val.(bool); !isBool {
			l.bad(path+".reject."+k, "must be true or false")
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
