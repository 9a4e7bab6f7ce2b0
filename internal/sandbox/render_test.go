package sandbox

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func mustResolve(t *testing.T, edit func(*Input)) *Policy {
	t.Helper()
	in := codexInput()
	if edit != nil {
		edit(&in)
	}
	p, err := Resolve(in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func srtPolicy(t *testing.T, edit func(*Input)) (*Policy, SRTSettings) {
	t.Helper()
	p := mustResolve(t, func(in *Input) {
		in.Permissions.OuterSandbox.Runtime = OuterSRT
		if edit != nil {
			edit(in)
		}
	})
	s, err := p.SRTSettings()
	if err != nil {
		t.Fatal(err)
	}
	return p, s
}

// codexFSMap decodes the filesystem entries the Codex overrides carry.
func codexFSMap(p *Policy) map[string]string {
	m := map[string]string{}
	for _, e := range p.codexFilesystem() {
		m[e.Key] = e.Value.(string)
	}
	return m
}

func TestDenyReadRenderedInBothForms(t *testing.T) {
	p, s := srtPolicy(t, nil)
	fs := codexFSMap(p)
	for _, rel := range []string{".ssh", ".aws", ".config/gh", ".netrc", ".bash_history", ".kube"} {
		tilde, abs := "~/"+rel, testHome+"/"+rel
		for _, form := range []string{tilde, abs} {
			if !slices.Contains(s.Filesystem.DenyRead, form) {
				t.Errorf("srt denyRead lacks %s", form)
			}
			if fs[form] != "none" {
				t.Errorf("codex filesystem[%s] = %q, want none", form, fs[form])
			}
		}
	}
	for _, abs := range []string{"/etc/sudoers", "/Volumes"} {
		if !slices.Contains(s.Filesystem.DenyRead, abs) || fs[abs] != "none" {
			t.Errorf("%s not denied in both layers", abs)
		}
	}
	for _, f := range []string{"auth.json", "config.toml", "AGENTS.md"} {
		for _, form := range []string{"~/.codex/" + f, testHome + "/.codex/" + f} {
			if fs[form] != "none" {
				t.Errorf("codex native does not deny reading %s", form)
			}
			// srt confines the Codex process itself, which must read these; it can only
			// stop them being rewritten.
			if slices.Contains(s.Filesystem.DenyRead, form) || !slices.Contains(s.Filesystem.DenyWrite, form) {
				t.Errorf("srt: %s must be write-denied and not read-denied", form)
			}
		}
		if fs[testCH+"/"+f] != "none" || !slices.Contains(s.Filesystem.DenyWrite, testCH+"/"+f) {
			t.Errorf("session %s not protected", f)
		}
	}
}

func TestWriteDenyRendered(t *testing.T) {
	src := t.TempDir()
	for _, wt := range []string{"ABC-1", "ABC-2"} {
		if err := os.MkdirAll(filepath.Join(src, ".git", "worktrees", wt), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	srcGit := filepath.Join(src, ".git")
	for _, f := range []string{"config", "packed-refs", "config.worktree", "info/exclude", "worktrees/ABC-1/config", "worktrees/ABC-1/config.worktree", "worktrees/ABC-2/config.worktree"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(srcGit, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(srcGit, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ws := t.TempDir()
	for _, d := range []string{".git/hooks", ".claude/agents"} {
		if err := os.MkdirAll(filepath.Join(ws, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"WORKFLOW.md", "symphony.yml", "symphony.local.yml", ".claude/settings.json", "mise.toml", ".tool-versions", ".git/config"} {
		if err := os.WriteFile(filepath.Join(ws, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, s := srtPolicy(t, func(in *Input) {
		in.Workspace = ws
		in.GitMetadataRoots = []string{srcGit, srcGit + "/worktrees/ABC-1"}
	})
	fs := codexFSMap(p)
	want := []string{
		ws + "/WORKFLOW.md", ws + "/symphony.yml", ws + "/symphony.local.yml", ws + "/.claude/settings.json",
		ws + "/mise.toml", ws + "/.tool-versions", "~/.gitconfig", testHome + "/.gitconfig", "~/.bashrc", testHome + "/.zshrc",
		"~/Library/LaunchAgents", ws + "/.git/config", ws + "/.git/hooks", srcGit + "/config", srcGit + "/packed-refs",
		srcGit + "/info", srcGit + "/config.worktree", srcGit + "/worktrees/ABC-1/config",
	}
	for _, w := range want {
		if !slices.Contains(s.Filesystem.DenyWrite, w) {
			t.Errorf("srt denyWrite lacks %s", w)
		}
		if fs[w] != "read" && fs[w] != "none" {
			t.Errorf("codex filesystem[%s] = %q, want read-only", w, fs[w])
		}
	}
	// srt leaves an unreadable placeholder at a missing denied path, which git cannot get past
	// for packed-refs, so absent optional metadata files are not listed.
	if slices.Contains(s.Filesystem.DenyWrite, ws+"/.git/packed-refs") {
		t.Errorf("srt denyWrite lists the missing %s/.git/packed-refs", ws)
	}
	// srt skips glob write rules on Linux, so existing worktrees are named one by one.
	for _, wt := range []string{"ABC-1", "ABC-2"} {
		for _, f := range []string{"config", "config.worktree"} {
			if want := filepath.Join(srcGit, "worktrees", wt, f); !slices.Contains(s.Filesystem.DenyWrite, want) {
				t.Errorf("srt denyWrite lacks %s", want)
			}
		}
	}
	if slices.ContainsFunc(s.Filesystem.DenyWrite, func(p string) bool { return strings.Contains(p, "*") }) {
		t.Errorf("srt denyWrite keeps a glob srt would skip: %v", s.Filesystem.DenyWrite)
	}
	if !slices.Contains(s.Filesystem.AllowWrite, srcGit) || slices.Contains(s.Filesystem.AllowWrite, ws+"/.git") {
		t.Errorf("srt allowWrite = %v; want the external git root (inner .git is covered by the workspace)", s.Filesystem.AllowWrite)
	}
	if fs[ws] != "write" || fs[srcGit] != "write" {
		t.Errorf("codex writable roots: ws %q git %q", fs[ws], fs[srcGit])
	}
	// bubblewrap aborts the whole Codex sandbox on a read-only mount whose target is missing,
	// so entries for absent files are left out rather than break every command.
	if _, ok := fs[ws+"/.claude/agents"]; !ok {
		t.Errorf("entry for the existing .claude/agents missing")
	}
	if _, ok := fs[ws+"/.claude/hooks"]; ok {
		t.Errorf("entry rendered for the absent .claude/hooks")
	}
	if missing := testWS + "/WORKFLOW.md"; fs[missing] != "" {
		t.Errorf("entry %s rendered for a workspace that does not exist", missing)
	}
}

func TestReadCarveOuts(t *testing.T) {
	for _, carve := range []string{"~/.aws", testHome + "/.aws"} {
		t.Run(carve, func(t *testing.T) {
			p, s := srtPolicy(t, func(in *Input) { in.Permissions.Filesystem.AllowReadPaths = []string{" " + carve + "/ ", ""} })
			fs := codexFSMap(p)
			for _, form := range []string{"~/.aws", testHome + "/.aws"} {
				if slices.Contains(s.Filesystem.DenyRead, form) {
					t.Errorf("srt still denies %s after carve-out %s", form, carve)
				}
				if fs[form] == "none" {
					t.Errorf("codex still denies %s after carve-out %s", form, carve)
				}
			}
			if fs[carve] != "read" {
				t.Errorf("codex filesystem[%s] = %q, want read", carve, fs[carve])
			}
			for _, still := range []string{"~/.ssh", testHome + "/.ssh"} {
				if !slices.Contains(s.Filesystem.DenyRead, still) || fs[still] != "none" {
					t.Errorf("carve-out %s lifted %s too", carve, still)
				}
			}
			for _, still := range []string{"~/.codex/auth.json", testHome + "/.codex/auth.json", testCH + "/auth.json"} {
				if fs[still] != "none" {
					t.Errorf("carve-out %s lifted %s in codex", carve, still)
				}
			}
		})
	}
}

// A host:port entry is kept where srt enforces the port and refused, naming the entry, where
// the Codex profile would widen it to the whole host.
func TestDomainPorts(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(*Input)
		code      string
		field     string
		srtDomain string
	}{
		{"srt keeps host:port", func(in *Input) {
			in.Permissions.OuterSandbox.Runtime = OuterSRT
			in.Permissions.Network.AllowedDomains = []string{"api.example.com", "*.corp.example:8443"}
		}, "", "", "*.corp.example:8443"},
		{"codex profile refuses an allowed port", func(in *Input) {
			in.Permissions.Network.AllowedDomains = []string{"api.example.com", "", "*.corp.example:8443"}
		}, CodePortNotEnforced, "agent.permissions.network.allowed_domains[2]", ""},
		{"codex profile refuses a denied port", func(in *Input) {
			in.Permissions.Network.DeniedDomains = []string{"github.com:22"}
		}, CodePortNotEnforced, "agent.permissions.network.denied_domains[0]", ""},
		{"claude refuses a port", func(in *Input) {
			in.Runtime = RuntimeClaude
			in.Permissions.Network.AllowedDomains = []string{"api.example.com:443"}
		}, CodePortNotEnforced, "agent.permissions.network.allowed_domains[0]", ""},
		{"block mode ignores the list", func(in *Input) {
			in.Permissions.Network.Mode = NetworkBlock
			in.Permissions.Network.AllowedDomains = []string{"api.example.com:443"}
		}, "", "", ""},
		{"port zero", func(in *Input) {
			in.Permissions.OuterSandbox.Runtime = OuterSRT
			in.Permissions.Network.AllowedDomains = []string{"api.example.com:0"}
		}, CodeInvalidDomain, "agent.permissions.network.allowed_domains", ""},
		{"port above 65535", func(in *Input) {
			in.Permissions.OuterSandbox.Runtime = OuterSRT
			in.Permissions.Network.AllowedDomains = []string{"api.example.com:65536"}
		}, CodeInvalidDomain, "agent.permissions.network.allowed_domains", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := codexInput()
			tt.edit(&in)
			p, err := Resolve(in)
			if tt.code != "" {
				var se *Error
				if !errors.As(err, &se) || se.Code != tt.code || se.Field != tt.field {
					t.Fatalf("err = %v, want %s at %s", err, tt.code, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.srtDomain == "" {
				return
			}
			s, err := p.SRTSettings()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(s.Network.AllowedDomains, tt.srtDomain) {
				t.Errorf("srt allowedDomains %v lack %s", s.Network.AllowedDomains, tt.srtDomain)
			}
		})
	}
}

func TestNetworkModes(t *testing.T) {
	t.Run("allowlist", func(t *testing.T) {
		p := mustResolve(t, func(in *Input) {
			in.Permissions.Network.AllowedDomains = []string{"API.Example.com ", "registry.npmjs.org", "*.corp.example"}
			in.Permissions.Network.DeniedDomains = []string{"REGISTRY.NPMJS.ORG", "api.example.com"}
		})
		if slices.Contains(p.AllowedDomains, "registry.npmjs.org") || slices.Contains(p.AllowedDomains, "api.example.com") {
			t.Errorf("denied domains survived: %v", p.AllowedDomains)
		}
		for _, d := range []string{"github.com", "proxy.golang.org", "*.corp.example"} {
			if !slices.Contains(p.AllowedDomains, d) {
				t.Errorf("allowlist lacks %s", d)
			}
		}
		for _, d := range []string{"api.github.com", "api.linear.app"} {
			if slices.Contains(p.AllowedDomains, d) {
				t.Errorf("%s must be reached only through scoped tools", d)
			}
		}
		ov := strings.Join(p.CodexConfigOverrides(), "\n")
		for _, want := range []string{`permissions.symphony.network={"enabled"=true,"mode"="full"}`, `"github.com"="allow"`, `"registry.npmjs.org"="deny"`, "features.network_proxy=true"} {
			if !strings.Contains(ov, want) {
				t.Errorf("codex overrides lack %s:\n%s", want, ov)
			}
		}
		if tp := p.TurnSandboxPolicy(); tp["networkAccess"] != true {
			t.Errorf("turn policy network = %v", tp["networkAccess"])
		}
	})
	t.Run("block", func(t *testing.T) {
		p := mustResolve(t, func(in *Input) { in.Permissions.Network.Mode = NetworkBlock })
		ov := strings.Join(p.CodexConfigOverrides(), "\n")
		if !strings.Contains(ov, `permissions.symphony.network={"enabled"=false}`) || strings.Contains(ov, "network.domains") {
			t.Errorf("block overrides:\n%s", ov)
		}
		if tp := p.TurnSandboxPolicy(); tp["networkAccess"] != false {
			t.Errorf("turn policy network = %v", tp["networkAccess"])
		}
		_, s := srtPolicy(t, func(in *Input) {
			in.Permissions.Network.Mode = NetworkBlock
			in.RuntimeHosts = []string{"127.0.0.1:9999"}
		})
		if !reflect.DeepEqual(s.Network.AllowedDomains, []string{"127.0.0.1:9999"}) {
			t.Errorf("srt block allows %v; want only the runtime's own model host", s.Network.AllowedDomains)
		}
	})
	t.Run("open", func(t *testing.T) {
		p := mustResolve(t, func(in *Input) { in.Permissions.Network.Mode = NetworkOpen })
		ov := strings.Join(p.CodexConfigOverrides(), "\n")
		if !strings.Contains(ov, `{"enabled"=true,"mode"="full"}`) || strings.Contains(ov, "network_proxy") {
			t.Errorf("open overrides:\n%s", ov)
		}
	})
}

func TestCodexApprovalRendering(t *testing.T) {
	allRejected := map[string]any{"granular": map[string]any{"sandbox_approval": false, "rules": false, "skill_approval": false, "request_permissions": false, "mcp_elicitations": false}}
	tests := []struct {
		name     string
		raw      any
		wantWire any
		wantAuto bool
	}{
		{"default rejects every prompt", nil, allRejected, false},
		{"reference reject map", map[string]any{"reject": map[string]any{"sandbox_approval": true, "rules": true, "mcp_elicitations": true}}, allRejected, false},
		{"reject map letting rules prompt", map[string]any{"reject": map[string]any{"rules": false}}, map[string]any{"granular": map[string]any{"sandbox_approval": false, "rules": true, "skill_approval": false, "request_permissions": false, "mcp_elicitations": false}}, false},
		{"codex granular form", map[string]any{"granular": map[string]any{"mcp_elicitations": true}}, map[string]any{"granular": map[string]any{"sandbox_approval": false, "rules": false, "skill_approval": false, "request_permissions": false, "mcp_elicitations": true}}, false},
		{"auto approve all", "auto_approve_all", "never", true},
		{"on-request", "on-request", "on-request", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustResolve(t, func(in *Input) { in.Permissions.ApprovalPolicy = tt.raw }).Codex()
			if !reflect.DeepEqual(c.ApprovalPolicy, tt.wantWire) || c.AutoApproveAll != tt.wantAuto {
				t.Fatalf("approval = %v auto %v; want %v auto %v", c.ApprovalPolicy, c.AutoApproveAll, tt.wantWire, tt.wantAuto)
			}
		})
	}
}

func TestCodexTurnPolicy(t *testing.T) {
	p := mustResolve(t, func(in *Input) { in.GitMetadataRoots = []string{"/srv/src/.git"} })
	c := p.Codex()
	want := map[string]any{"type": "workspaceWrite", "writableRoots": []string{testWS, testWS + "/.git", "/srv/src/.git"}, "networkAccess": true, "excludeSlashTmp": true, "excludeTmpdirEnvVar": false}
	if !reflect.DeepEqual(c.TurnSandboxPolicy, want) || c.ThreadSandbox != "workspace-write" {
		t.Fatalf("turn policy %v thread %q", c.TurnSandboxPolicy, c.ThreadSandbox)
	}
	if c.ConfigOverrides[0] != `default_permissions="symphony"` {
		t.Fatalf("first override %q", c.ConfigOverrides[0])
	}
	if c.PermissionProfile != CodexProfile {
		t.Fatalf("permission profile %q, want %q selected without an outer sandbox", c.PermissionProfile, CodexProfile)
	}

	op := mustResolve(t, func(in *Input) {
		in.Permissions.Filesystem.TurnPolicy = map[string]any{"type": "workspaceWrite", "writableRoots": []any{"/srv/cache"}, "excludeSlashTmp": false}
	}).TurnSandboxPolicy()
	if !reflect.DeepEqual(op["writableRoots"], []string{testWS, testWS + "/.git", "/srv/cache"}) || op["excludeSlashTmp"] != false {
		t.Fatalf("operator turn policy lost the workspace or its own fields: %v", op)
	}

	ext := mustResolve(t, func(in *Input) { in.Permissions.OuterSandbox.Runtime = OuterSRT }).Codex()
	if !reflect.DeepEqual(ext.TurnSandboxPolicy, map[string]any{"type": "externalSandbox", "networkAccess": "enabled"}) {
		t.Fatalf("srt turn policy = %v", ext.TurnSandboxPolicy)
	}
	if ext.PermissionProfile != "" {
		t.Fatalf("srt session selects permission profile %q; Codex's own sandbox cannot run inside srt", ext.PermissionProfile)
	}
}

func TestSRTSettingsFileAndLaunch(t *testing.T) {
	p, _ := srtPolicy(t, func(in *Input) {
		in.SocketDir = "/run/symphony/s1"
		in.Permissions.OuterSandbox.Command = "mise exec -- srt"
	})
	parent := t.TempDir()
	for _, bad := range []string{"", "tmp/srt", "/" + strings.Repeat("d", MaxRuntimeTempDirLen)} {
		if _, err := p.WriteSRTSettings(parent, bad); err == nil {
			t.Errorf("WriteSRTSettings accepted the srt temp directory %q", bad)
		}
	}
	const tempDir = "/tmp/symphony-sbx-1-2-3"
	sess, err := p.WriteSRTSettings(parent, tempDir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(sess.SettingsPath)
	if err != nil {
		t.Fatal(err)
	}
	di, _ := os.Stat(filepath.Dir(sess.SettingsPath))
	if fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
		t.Fatalf("settings mode %v dir mode %v; want 0600 in 0700", fi.Mode().Perm(), di.Mode().Perm())
	}
	raw, _ := os.ReadFile(sess.SettingsPath)
	var doc struct{ Filesystem, Network map[string]any }
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"denyRead", "allowWrite", "denyWrite"} {
		if _, ok := doc.Filesystem[k].([]any); !ok {
			t.Errorf("filesystem.%s missing or not a list: %s", k, raw)
		}
	}
	for _, k := range []string{"allowedDomains", "deniedDomains"} {
		if _, ok := doc.Network[k].([]any); !ok {
			t.Errorf("network.%s missing or not a list (srt refuses to start): %s", k, raw)
		}
	}
	if got := doc.Network["allowUnixSockets"]; !reflect.DeepEqual(got, []any{"/run/symphony/s1"}) {
		t.Errorf("allowUnixSockets = %v; want only the session socket dir", got)
	}

	argv, err := sess.Launch("codex app-server")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(argv[:4], []string{"bash", "--noprofile", "--norc", "-c"}) {
		t.Fatalf("wrapper argv %q", argv)
	}
	if !strings.HasPrefix(argv[4], `SYMPHONY_TMPDIR="${TMPDIR-}" TMPDIR='`+tempDir+`' mise exec -- srt --settings '`+sess.SettingsPath+"' sh -c '") || !strings.HasSuffix(argv[4], "codex app-server'") {
		t.Fatalf("srt command %q", argv[4])
	}
	if err := sess.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(sess.SettingsPath); !os.IsNotExist(err) {
		t.Fatalf("settings file survives Close: %v", err)
	}
	if _, err := sess.Launch("codex app-server"); err == nil {
		t.Fatal("Launch after Close pointed srt at a removed settings file")
	}

	if _, err := mustResolve(t, nil).SRTSettings(); err == nil {
		t.Fatal("SRTSettings succeeded without srt selected")
	}
}

func TestShellQuoteSurvivesSh(t *testing.T) {
	for _, s := range []string{"plain", "it's", `a "b" $HOME`, "x'\"'y"} {
		out, err := runSh(t, "printf %s "+shellQuote(s))
		if err != nil || out != s {
			t.Errorf("quote(%q) printed %q, %v", s, out, err)
		}
	}
}

func TestClaudeFilesystem(t *testing.T) {
	p := mustResolve(t, func(in *Input) {
		in.Runtime = RuntimeClaude
		in.CodexHome = ""
		in.Permissions.Filesystem.AllowWritePaths = []string{"~/.cache/go-build"}
		in.Permissions.Filesystem.AllowReadPaths = []string{"~/.npmrc"}
	})
	c := p.ClaudeFilesystem()
	for _, want := range []string{"~/.ssh", testHome + "/.ssh", "~/.claude/.credentials.json", testHome + "/.claude/.credentials.json", "~/.codex/auth.json", testHome + "/.codex/auth.json"} {
		if !slices.Contains(c.DenyRead, want) {
			t.Errorf("claude denyRead lacks %s", want)
		}
	}
	if slices.Contains(c.DenyRead, "~/.npmrc") || slices.Contains(c.DenyRead, testHome+"/.npmrc") {
		t.Errorf("carve-out ~/.npmrc still denied: %v", c.DenyRead)
	}
	for _, want := range []string{testWS + "/WORKFLOW.md", testWS + "/.claude/settings.json", testWS + "/.git/config", testWS + "/.git/hooks", "~/.claude/settings.json", testHome + "/.gitconfig"} {
		if !slices.Contains(c.DenyWrite, want) {
			t.Errorf("claude denyWrite lacks %s", want)
		}
	}
	if !reflect.DeepEqual(c.AllowWrite, []string{"~/.cache/go-build", testHome + "/.cache/go-build"}) {
		t.Errorf("claude allowWrite = %v", c.AllowWrite)
	}
	if p.ApprovalPolicy != "never" {
		t.Errorf("claude approval = %v, want never", p.ApprovalPolicy)
	}
}

// Extra writable roots from turn_policy hold in the managed profile too, where no turn
// policy is sent; relative ones are refused because the profile cannot resolve them.
func TestTurnPolicyRootsReachTheProfile(t *testing.T) {
	extra := filepath.Join(testHome, "shared-cache")
	p := mustResolve(t, func(in *Input) {
		in.Permissions.Filesystem.TurnPolicy = map[string]any{"type": "workspaceWrite", "writableRoots": []any{extra}}
	})
	if roots := p.WritableRoots(); !slices.Contains(roots, extra) || roots[0] != testWS {
		t.Fatalf("writable roots %v", roots)
	}
	fsOverride := ""
	for _, o := range p.Codex().ConfigOverrides {
		if strings.HasPrefix(o, "permissions."+CodexProfile+".filesystem=") {
			fsOverride = o
		}
	}
	if !strings.Contains(fsOverride, strconv.Quote(extra)+`="write"`) {
		t.Fatalf("profile filesystem lacks %s as write: %s", extra, fsOverride)
	}
	in := codexInput()
	in.Permissions.Filesystem.TurnPolicy = map[string]any{"type": "workspaceWrite", "writableRoots": []any{"relative/dir"}}
	_, err := Resolve(in)
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeInvalidTurnPolicy || e.Field != "agent.permissions.filesystem.turn_policy.writableRoots" {
		t.Fatalf("relative root: %v", err)
	}
}
