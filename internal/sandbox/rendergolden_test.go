package sandbox

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/symphony-go/symphony/internal/testenv"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/render/*.golden from the current renderer")

// goldenInputs are policies covering every branch of the Codex, srt and Claude renderers: each
// network mode, srt, an operator turn policy, carve-outs and paths TOML must escape. Paths lie
// under root, which holds the guard files and git metadata the renderers look for on disk.
func goldenInputs(root string) map[string]Input {
	home := filepath.Join(root, "home")
	ws := filepath.Join(root, "ws", "ABC-1")
	session := filepath.Join(root, "state", "sessions", "s1")
	base := func() Input {
		return Input{Runtime: RuntimeCodex, Workspace: ws, Home: home, SessionDir: session,
			CodexHome: filepath.Join(session, "home"), StateRoot: filepath.Join(root, "state"),
			LogsRoot: filepath.Join(root, "state", "logs"), ConfigFiles: []string{filepath.Join(root, "symphony.yml")}}
	}
	cases := map[string]Input{}
	cases["codex-default"] = base()

	in := base()
	in.Permissions.Network = Network{Mode: NetworkBlock}
	in.Permissions.Filesystem.AllowReadPaths = []string{"~/notes", "/opt/tab\there", `/opt/quote"and\back`, "/opt/ünïcödé ☃", "/opt/del\x7f"}
	cases["codex-block-carveouts"] = in

	in = base()
	in.Permissions.Network = Network{Mode: NetworkOpen}
	in.Permissions.ApprovalPolicy = map[string]any{"reject": map[string]any{"sandbox_approval": true, "rules": false}}
	in.Permissions.Filesystem.Sandbox = "danger-full-access"
	in.Permissions.Filesystem.TurnPolicy = map[string]any{"type": "workspaceWrite", "writableRoots": []any{"/extra/root", ws}, "networkAccess": true}
	cases["codex-open-turnpolicy"] = in

	in = base()
	in.Permissions.Network = Network{AllowedDomains: []string{"Example.COM", "*.corp.example", "github.com"}, DeniedDomains: []string{"gitlab.com"}}
	in.GitMetadataRoots = []string{filepath.Join(root, "primary", ".git", "worktrees", "ABC-1"), filepath.Join(root, "primary", ".git"), filepath.Join(root, "gone", ".git")}
	in.RuntimeHosts = []string{"127.0.0.1:4000"}
	cases["codex-allowlist-worktree"] = in

	in = base()
	in.Home = filepath.Join(root, `odd "home" dir`)
	in.SessionDir, in.CodexHome = "", ""
	cases["codex-odd-home-no-session"] = in

	in = base()
	in.Permissions.OuterSandbox = OuterSandbox{Runtime: OuterSRT, Command: "srt --debug"}
	in.Permissions.Network = Network{Mode: NetworkBlock}
	cases["codex-srt-block"] = in

	in = base()
	in.Permissions.OuterSandbox = OuterSandbox{Runtime: OuterSRT, EnableWeakerNetworkIsolation: true}
	in.Permissions.Network = Network{AllowedDomains: []string{"example.com:8443"}}
	in.Permissions.Filesystem.TurnPolicy = map[string]any{"type": "externalSandbox", "networkAccess": "enabled"}
	cases["codex-srt-allowlist"] = in

	in = base()
	in.Runtime, in.CodexHome = RuntimeClaude, ""
	in.Permissions.Filesystem.AllowWritePaths = []string{"/opt/cache"}
	in.Permissions.Filesystem.AllowReadPaths = []string{"~/docs"}
	cases["claude"] = in
	return cases
}

// goldenTree lays out the files whose presence the renderers check: guard files in the
// workspace, at its top and inside .claude, and hooks and config in every git root but one.
func goldenTree(t *testing.T, root string) {
	t.Helper()
	ws := filepath.Join(root, "ws", "ABC-1")
	dirs := []string{filepath.Join(ws, ".git", "hooks"), filepath.Join(root, "primary", ".git", "hooks"),
		filepath.Join(root, "primary", ".git", "worktrees", "ABC-1"), filepath.Join(root, "home"), filepath.Join(ws, ".claude", "agents")}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := []string{filepath.Join(ws, ".git", "config"), filepath.Join(root, "primary", ".git", "config"),
		filepath.Join(ws, workspaceWriteDeny[0]), filepath.Join(ws, workspaceWriteDeny[len(workspaceWriteDeny)-1]),
		filepath.Join(ws, ".claude", "settings.json")}
	for _, f := range files {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// renderAll is everything a session is launched with for in: the Codex parameters and
// overrides, and the srt or Claude settings where the policy has them.
func renderAll(t *testing.T, in Input) []byte {
	t.Helper()
	p, err := Resolve(in)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	write := func(name string, v any) {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		out.WriteString("== " + name + "\n")
		out.Write(b)
		out.WriteString("\n")
	}
	if p.Runtime == RuntimeClaude {
		write("claude", p.ClaudeSettings([]string{"symphony"}))
		return out.Bytes()
	}
	c := p.Codex()
	overrides := c.ConfigOverrides
	c.ConfigOverrides = nil
	write("codex", c)
	out.WriteString("== overrides\n")
	for _, o := range overrides {
		out.WriteString(o + "\n")
	}
	if p.Mode() == ModeSRT {
		s, err := p.SRTSettings()
		if err != nil {
			t.Fatal(err)
		}
		write("srt", s)
	}
	return out.Bytes()
}

// TestRenderedSettingsMatchGolden pins every byte the renderers produce for the golden
// inputs: the files under testdata/render were written by the renderer before its allocation
// work, so any change in order, escaping or content fails here.
func TestRenderedSettingsMatchGolden(t *testing.T) {
	root := t.TempDir()
	goldenTree(t, root)
	for name, in := range goldenInputs(root) {
		t.Run(name, func(t *testing.T) {
			got := bytes.ReplaceAll(renderAll(t, in), []byte(root), []byte("$ROOT"))
			testenv.Golden(t, filepath.Join("testdata", "render", name+".golden"), got, *updateGolden)
		})
	}
}
