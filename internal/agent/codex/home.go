package codex

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// baseConfigTOML keeps a session quiet and offline-safe: no update checks, no analytics, and
// no plugin lookups (which reach github.com and chatgpt.com at start-up).
const baseConfigTOML = `check_for_update_on_startup = false

[analytics]
enabled = false

[features]
plugins = false
`

// privateDirs is a session's private directory: CODEX_HOME and the child's TMPDIR are
// siblings, because Codex's Linux sandbox refuses its helper binaries when CODEX_HOME lies
// under TMPDIR.
type privateDirs struct {
	root string
	home string
	tmp  string
}

// makePrivateDirs creates the private directory as a fresh codex-session-* directory under
// stateDir or, when exact, uses stateDir itself: a caller that created it empty for this
// session and rendered a sandbox policy naming its home and tmp.
func makePrivateDirs(stateDir string, exact bool, workspace, configTOML, authFile string, log *slog.Logger) (privateDirs, error) {
	var d privateDirs
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return d, fmt.Errorf("create state dir %q: %w", stateDir, err)
	}
	realState, err := filepath.EvalSymlinks(stateDir)
	if err != nil {
		return d, fmt.Errorf("resolve state dir %q: %w", stateDir, err)
	}
	if rel, err := filepath.Rel(workspace, realState); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return d, fmt.Errorf("state dir %q is inside the workspace; the agent could read its CODEX_HOME", stateDir)
	}
	root := realState
	if !exact {
		if root, err = os.MkdirTemp(realState, "codex-session-"); err != nil {
			return d, fmt.Errorf("create session dir: %w", err)
		}
	}
	d = privateDirs{root: root, home: filepath.Join(root, "home"), tmp: filepath.Join(root, "tmp")}
	fail := func(err error) (privateDirs, error) {
		_ = os.RemoveAll(root)
		return privateDirs{}, err
	}
	for _, dir := range []string{d.home, d.tmp} {
		if err := os.Mkdir(dir, 0o700); err != nil {
			return fail(fmt.Errorf("create %q: %w", dir, err))
		}
	}
	config := baseConfigTOML
	if configTOML != "" {
		config = configTOML + "\n" + baseConfigTOML
	}
	if err := os.WriteFile(filepath.Join(d.home, "config.toml"), []byte(config), 0o600); err != nil {
		return fail(fmt.Errorf("write config.toml: %w", err))
	}
	if err := linkAuth(d.home, authFile, log); err != nil {
		return fail(err)
	}
	return d, nil
}

// linkAuth links the operator's auth.json into the private home so Codex can authenticate
// without the session seeing the rest of the operator's Codex state.
func linkAuth(home, authFile string, log *slog.Logger) error {
	if authFile == "" {
		authFile = DefaultAuthFile()
	}
	if authFile == "" {
		log.Warn("codex auth.json not found; the agent starts without operator credentials")
		return nil
	}
	if _, err := os.Stat(authFile); errors.Is(err, fs.ErrNotExist) {
		log.Warn("codex auth.json not found; the agent starts without operator credentials", "path", authFile)
		return nil
	} else if err != nil {
		return fmt.Errorf("codex auth file %q: %w", authFile, err)
	}
	if err := os.Symlink(authFile, filepath.Join(home, "auth.json")); err != nil {
		return fmt.Errorf("link codex auth file %q: %w", authFile, err)
	}
	return nil
}

// DefaultAuthFile is where `codex login` stores the operator's credentials:
// $CODEX_HOME/auth.json, else ~/.codex/auth.json; empty when neither can be known.
func DefaultAuthFile() string {
	if h := os.Getenv("CODEX_HOME"); h != "" {
		return filepath.Join(h, "auth.json")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".codex", "auth.json")
	}
	return ""
}
