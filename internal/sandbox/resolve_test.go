package sandbox

import (
	"errors"
	"testing"
)

const (
	testHome = "/home/agent"
	testWS   = "/srv/ws/ABC-1"
	testCH   = "/srv/sessions/s1/codex-home"
)

func codexInput() Input {
	return Input{Runtime: RuntimeCodex, Workspace: testWS, Home: testHome, CodexHome: testCH}
}

func TestResolveRejects(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Input)
		code  string
		field string
	}{
		{"never approval for codex", func(in *Input) { in.Permissions.ApprovalPolicy = "never" }, CodeNeverApprovalForCodex, "agent.permissions.approval_policy"},
		{"on-failure is not in the installed codex schema", func(in *Input) { in.Permissions.ApprovalPolicy = "on-failure" }, CodeInvalidApprovalPolicy, "agent.permissions.approval_policy"},
		{"approval policy of the wrong type", func(in *Input) { in.Permissions.ApprovalPolicy = 3 }, CodeInvalidApprovalPolicy, "agent.permissions.approval_policy"},
		{"approval map with two forms", func(in *Input) {
			in.Permissions.ApprovalPolicy = map[string]any{"reject": map[string]any{}, "granular": map[string]any{}}
		}, CodeInvalidApprovalPolicy, "agent.permissions.approval_policy"},
		{"approval map of unknown form", func(in *Input) { in.Permissions.ApprovalPolicy = map[string]any{"allow": map[string]any{}} }, CodeInvalidApprovalPolicy, "agent.permissions.approval_policy"},
		{"approval reject category unknown", func(in *Input) {
			in.Permissions.ApprovalPolicy = map[string]any{"reject": map[string]any{"everything": true}}
		}, CodeInvalidApprovalPolicy, "agent.permissions.approval_policy.reject"},
		{"approval reject value not bool", func(in *Input) {
			in.Permissions.ApprovalPolicy = map[string]any{"reject": map[string]any{"rules": "yes"}}
		}, CodeInvalidApprovalPolicy, "agent.permissions.approval_policy.reject.rules"},
		{"claude with a codex approval policy", func(in *Input) {
			in.Runtime = RuntimeClaude
			in.Permissions.ApprovalPolicy = "on-request"
		}, CodeInvalidApprovalPolicy, "agent.permissions.approval_policy"},
		{"srt with open network", func(in *Input) {
			in.Permissions.OuterSandbox.Runtime = OuterSRT
			in.Permissions.Network.Mode = NetworkOpen
		}, CodeSRTOpenNetwork, "agent.permissions.outer_sandbox.runtime"},
		{"srt with claude", func(in *Input) {
			in.Runtime = RuntimeClaude
			in.Permissions.OuterSandbox.Runtime = OuterSRT
		}, CodeSRTNonCodex, "agent.permissions.outer_sandbox.runtime"},
		{"srt on an ssh worker", func(in *Input) {
			in.RemoteSSH = true
			in.Permissions.OuterSandbox.Runtime = OuterSRT
		}, CodeSRTRemoteWorker, "agent.permissions.outer_sandbox.runtime"},
		{"unknown outer sandbox", func(in *Input) { in.Permissions.OuterSandbox.Runtime = "firejail" }, CodeInvalidOuterSandbox, "agent.permissions.outer_sandbox.runtime"},
		{"weaker isolation without srt", func(in *Input) { in.Permissions.OuterSandbox.EnableWeakerNetworkIsolation = true }, CodeInvalidOuterSandbox, "agent.permissions.outer_sandbox.enable_weaker_network_isolation"},
		{"srt with a nested workspaceWrite turn policy", func(in *Input) {
			in.Permissions.OuterSandbox.Runtime = OuterSRT
			in.Permissions.Filesystem.TurnPolicy = map[string]any{"type": "workspaceWrite"}
		}, CodeInvalidTurnPolicy, "agent.permissions.filesystem.turn_policy.type"},
		{"unknown network mode", func(in *Input) { in.Permissions.Network.Mode = "proxy" }, CodeInvalidNetworkMode, "agent.permissions.network.mode"},
		{"allowed domain with a scheme", func(in *Input) { in.Permissions.Network.AllowedDomains = []string{"https://example.com"} }, CodeInvalidDomain, "agent.permissions.network.allowed_domains"},
		{"denied domain with a path", func(in *Input) { in.Permissions.Network.DeniedDomains = []string{"example.com/x"} }, CodeInvalidDomain, "agent.permissions.network.denied_domains"},
		{"unknown codex sandbox mode", func(in *Input) { in.Permissions.Filesystem.Sandbox = "workspace" }, CodeInvalidSandboxMode, "agent.permissions.filesystem.sandbox"},
		{"turn policy without a known type", func(in *Input) { in.Permissions.Filesystem.TurnPolicy = map[string]any{"type": "container"} }, CodeInvalidTurnPolicy, "agent.permissions.filesystem.turn_policy.type"},
		{"claude with a codex sandbox mode", func(in *Input) {
			in.Runtime = RuntimeClaude
			in.Permissions.Filesystem.Sandbox = "read-only"
		}, CodeInvalidSandboxMode, "agent.permissions.filesystem.sandbox"},
		{"claude with a codex turn policy", func(in *Input) {
			in.Runtime = RuntimeClaude
			in.Permissions.Filesystem.TurnPolicy = map[string]any{"type": "readOnly"}
		}, CodeInvalidTurnPolicy, "agent.permissions.filesystem.turn_policy"},
		{"carve-out of codex auth (tilde)", func(in *Input) { in.Permissions.Filesystem.AllowReadPaths = []string{"~/.codex/auth.json"} }, CodeProtectedReadPath, "agent.permissions.filesystem.allow_read_paths"},
		{"carve-out of codex config (absolute)", func(in *Input) {
			in.Permissions.Filesystem.AllowReadPaths = []string{testHome + "/.codex/config.toml"}
		}, CodeProtectedReadPath, "agent.permissions.filesystem.allow_read_paths"},
		{"carve-out of codex AGENTS.md through its directory", func(in *Input) { in.Permissions.Filesystem.AllowReadPaths = []string{"~/.codex"} }, CodeProtectedReadPath, "agent.permissions.filesystem.allow_read_paths"},
		{"carve-out of the whole home", func(in *Input) { in.Permissions.Filesystem.AllowReadPaths = []string{"~"} }, CodeProtectedReadPath, "agent.permissions.filesystem.allow_read_paths"},
		{"carve-out of the session CODEX_HOME", func(in *Input) { in.Permissions.Filesystem.AllowReadPaths = []string{testCH} }, CodeProtectedReadPath, "agent.permissions.filesystem.allow_read_paths"},
		{"carve-out inside the session CODEX_HOME", func(in *Input) { in.Permissions.Filesystem.AllowReadPaths = []string{testCH + "/sessions"} }, CodeProtectedReadPath, "agent.permissions.filesystem.allow_read_paths"},
		{"relative carve-out", func(in *Input) { in.Permissions.Filesystem.AllowReadPaths = []string{".aws"} }, CodeInvalidPath, "agent.permissions.filesystem.allow_read_paths"},
		{"allow_write_paths for codex", func(in *Input) { in.Permissions.Filesystem.AllowWritePaths = []string{"/srv/cache"} }, CodeInvalidPath, "agent.permissions.filesystem.allow_write_paths"},
		{"claude allow_write over shell startup files", func(in *Input) {
			in.Runtime = RuntimeClaude
			in.Permissions.Filesystem.AllowWritePaths = []string{"~"}
		}, CodeInvalidPath, "agent.permissions.filesystem.allow_write_paths"},
		{"workspace inside a read-denied store", func(in *Input) { in.Workspace = testHome + "/.ssh/ws" }, CodeInvalidPath, "workspace"},
		{"relative workspace", func(in *Input) { in.Workspace = "ws" }, CodeMissingSessionPath, "workspace"},
		{"relative CODEX_HOME", func(in *Input) { in.CodexHome = "codex-home" }, CodeMissingSessionPath, "codex_home"},
		{"session dir inside the workspace", func(in *Input) { in.SessionDir = testWS + "/.symphony" }, CodeInvalidPath, "session_dir"},
		{"carve-out inside the session dir", func(in *Input) {
			in.SessionDir = "/srv/sessions/s1"
			in.Permissions.Filesystem.AllowReadPaths = []string{"/srv/sessions/s1/tmp"}
		}, CodeProtectedReadPath, "agent.permissions.filesystem.allow_read_paths"},
		{"relative git root", func(in *Input) { in.GitMetadataRoots = []string{"../src/.git"} }, CodeMissingSessionPath, "git_metadata_roots"},
		{"unknown runtime", func(in *Input) { in.Runtime = "aider" }, CodeInvalidRuntime, "agent.runtime"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := codexInput()
			tt.edit(&in)
			p, err := Resolve(in)
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Resolve = %v, %v; want *Error %s", p, err, tt.code)
			}
			if perr.Code != tt.code || perr.Field != tt.field {
				t.Fatalf("error %q: code %s field %s; want code %s field %s", err, perr.Code, perr.Field, tt.code, tt.field)
			}
		})
	}
}

func TestResolveDefaults(t *testing.T) {
	p, err := Resolve(codexInput())
	if err != nil {
		t.Fatal(err)
	}
	if p.NetworkMode != NetworkAllowlist || p.Outer != OuterNone || p.ThreadSandbox != "workspace-write" {
		t.Fatalf("defaults: network %q outer %q sandbox %q", p.NetworkMode, p.Outer, p.ThreadSandbox)
	}
	if got := p.GitRoots; len(got) != 1 || got[0] != testWS+"/.git" {
		t.Fatalf("git roots = %v, want the workspace .git only", got)
	}
	if p.AutoApproveAll {
		t.Fatal("auto-approve must be opt-in")
	}
}
