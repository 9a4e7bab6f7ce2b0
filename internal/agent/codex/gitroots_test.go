package codex

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/testenv"
)

func TestTurnPolicyWritableRootsCoverLinkedWorktreeMetadata(t *testing.T) {
	_, ws := testenv.LinkedWorktree(t, t.TempDir())

	roots := agent.GitMetadataRoots(context.Background(), ws)
	if len(roots) < 3 {
		t.Fatalf("git metadata roots %q lack the linked worktree's git dirs", roots)
	}
	cases := []struct {
		name   string
		policy map[string]any
		want   []string
	}{
		{"workspaceWrite gains the workspace and git dirs, keeping configured roots",
			map[string]any{"type": "workspaceWrite", "writableRoots": []any{"/extra", ws}, "networkAccess": true},
			append([]string{"/extra", ws}, roots...)},
		{"other policies are passed through", map[string]any{"type": "externalSandbox", "networkAccess": "restricted"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := turnSandboxPolicy(c.policy, ws, roots)
			if c.want == nil {
				if _, ok := got["writableRoots"]; ok || got["networkAccess"] != "restricted" {
					t.Fatalf("policy changed: %v", got)
				}
				return
			}
			if !slices.Equal(got["writableRoots"].([]string), c.want) || got["networkAccess"] != true {
				t.Fatalf("writableRoots = %q, want %q (policy %v)", got["writableRoots"], c.want, got)
			}
			if _, mutated := c.policy["writableRoots"].([]string); mutated {
				t.Fatal("the caller's policy map was modified")
			}
		})
	}
}

func TestPrivateHomeLinksOperatorAuth(t *testing.T) {
	state := t.TempDir()
	ws := t.TempDir()
	auth := filepath.Join(t.TempDir(), "auth.json")
	if err := os.WriteFile(auth, []byte(`{"token":"x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := makePrivateDirs(state, false, ws, "model = \"m\"\n", "", authLink{file: auth, used: true, warnOnce: new(sync.Once)}, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(d.root)
	if target, err := os.Readlink(filepath.Join(d.home, "auth.json")); err != nil || target != auth {
		t.Fatalf("auth.json link = %q, %v; want %s", target, err, auth)
	}
	if filepath.Dir(d.tmp) != filepath.Dir(d.home) || d.tmp == d.home {
		t.Fatalf("TMPDIR %s and CODEX_HOME %s must be siblings", d.tmp, d.home)
	}
	cfg, _ := os.ReadFile(filepath.Join(d.home, "config.toml"))
	if !containsText(cfg, "model = \"m\"") || !containsText(cfg, "plugins = false") {
		t.Fatalf("config.toml = %s", cfg)
	}
	for _, inside := range []string{"state", "..state"} {
		if _, err := makePrivateDirs(filepath.Join(ws, inside), false, ws, "", "", authLink{file: auth, used: true, warnOnce: new(sync.Once)}, discardLogger()); err == nil {
			t.Fatalf("state dir %s inside the workspace was accepted", inside)
		}
	}
}

// A caller that names the private directory exactly (to render a sandbox policy for it before
// launch) gets CODEX_HOME and TMPDIR at fixed places inside it.
func TestPrivateDirExact(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "SEC-1")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	d, err := makePrivateDirs(dir, true, t.TempDir(), "", "", authLink{warnOnce: new(sync.Once)}, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	real, _ := filepath.EvalSymlinks(dir)
	if d.root != real || d.home != filepath.Join(real, "home") || d.tmp != filepath.Join(real, "tmp") {
		t.Fatalf("exact private dir = %+v, want home and tmp directly inside %s", d, real)
	}
	if _, err := os.Stat(filepath.Join(d.home, "config.toml")); err != nil {
		t.Fatal(err)
	}
	if !ownedBySelf(real) {
		t.Fatal("the exact private dir has no owner file naming this process")
	}
}

// A private dir NewSessionDir made names its owner in its name; the session start writes no
// owner file into it, which would cost a file creation per start.
func TestPrivateDirExactOfNewSessionDirNeedsNoOwnerFile(t *testing.T) {
	dir, err := NewSessionDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := makePrivateDirs(dir, true, t.TempDir(), "", "", authLink{warnOnce: new(sync.Once)}, discardLogger()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ownerFileName)); !os.IsNotExist(err) {
		t.Fatalf("owner file: %v; want none", err)
	}
	if !ownedBySelf(dir) {
		t.Fatalf("%s does not name this process as its owner", dir)
	}
	if abandoned(dir) {
		t.Fatalf("%s counts as abandoned while its owner runs", dir)
	}
}

func TestMissingAuthIsWarnedOnceAndOnlyWhenUsed(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "auth.json")
	cases := []struct {
		name  string
		link  authLink
		warns int
	}{
		{"provider uses auth.json", authLink{file: missing, used: true}, 1},
		{"provider key set instead", authLink{file: missing, used: true, keyInEnv: true}, 0},
		{"provider reads an env key", authLink{file: missing, used: false}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var logged bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logged, nil))
			c.link.warnOnce = new(sync.Once)
			for range 3 {
				d, err := makePrivateDirs(t.TempDir(), false, t.TempDir(), "", "", c.link, log)
				if err != nil {
					t.Fatal(err)
				}
				_ = os.RemoveAll(d.root)
			}
			if got := strings.Count(logged.String(), "auth.json not found"); got != c.warns {
				t.Fatalf("warned %d times over three sessions, want %d:\n%s", got, c.warns, logged.String())
			}
		})
	}
}

// A provider chosen by a --config override in agent.command is the one Codex uses, so it
// decides whether a missing auth.json matters, as it decides the agent's environment.
func TestAuthLinkFollowsTheProviderChosenInTheCommand(t *testing.T) {
	custom := Options{
		Command: "codex --config model_provider=corp --config model_providers.corp.env_key=CORP_KEY app-server",
		Env:     []string{"CORP_KEY=k"},
	}
	if link := (&Session{opts: custom}).authLink(); link.used || !link.keyInEnv {
		t.Fatalf("command choosing provider corp with CORP_KEY set: auth link %+v, want auth.json unused and the key in the environment", link)
	}
	if link := (&Session{opts: Options{Command: "codex app-server"}}).authLink(); !link.used || link.keyInEnv {
		t.Fatalf("default provider without OPENAI_API_KEY: auth link %+v, want auth.json used and no key", link)
	}
}
