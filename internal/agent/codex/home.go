package codex

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
// stateDir or, when exact, uses stateDir itself: a directory NewSessionDir made for this session,
// for which the caller rendered a sandbox policy naming its home and tmp.
func makePrivateDirs(stateDir string, exact bool, workspace, configTOML, mcpServersTOML string, auth authLink, log *slog.Logger) (privateDirs, error) {
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
		if root, err = newSessionDir(realState); err != nil {
			return d, err
		}
	}
	d = privateDirs{root: root, home: filepath.Join(root, "home"), tmp: filepath.Join(root, "tmp")}
	fail := func(err error) (privateDirs, error) {
		_ = removeSessionDir(root)
		return privateDirs{}, err
	}
	if !ownedBySelf(root) {
		if err := writeOwner(root); err != nil {
			return fail(fmt.Errorf("write session dir owner: %w", err))
		}
	}
	for _, dir := range []string{d.home, d.tmp} {
		if err := os.Mkdir(dir, 0o700); err != nil {
			return fail(fmt.Errorf("create %q: %w", dir, err))
		}
	}
	if err := os.WriteFile(filepath.Join(d.home, "config.toml"), []byte(sessionConfigTOML(configTOML, mcpServersTOML)), 0o600); err != nil {
		return fail(fmt.Errorf("write config.toml: %w", err))
	}
	if err := auth.link(d.home, log); err != nil {
		return fail(err)
	}
	return d, nil
}

// sessionConfigTOML is a session's config.toml: the caller's settings, the quiet base, and
// the MCP server tables last, so no table header captures a top-level key.
func sessionConfigTOML(configTOML, mcpServersTOML string) string {
	config := baseConfigTOML
	if configTOML != "" {
		config = configTOML + "\n" + baseConfigTOML
	}
	if mcpServersTOML != "" {
		config += "\n" + mcpServersTOML
	}
	return config
}

// authLink says whether and from where the operator's auth.json is linked into a session's
// private home.
type authLink struct {
	// file is the operator's auth.json; "" means the default location.
	file string
	// used is false when the configured provider does not authenticate with auth.json, so
	// its absence is nothing to warn about.
	used bool
	// keyInEnv is true when the provider's API key variable is set for the agent, which
	// Codex uses in place of a missing auth.json.
	keyInEnv bool
	// warnOnce is the process's missingAuthWarning; tests pass their own.
	warnOnce *sync.Once
}

// missingAuthWarning is logged once per process, not once per session: the operator needs
// to hear it, not to read it on every dispatch.
var missingAuthWarning sync.Once

// link links the operator's auth.json into the private home so Codex can authenticate
// without the session seeing the rest of the operator's Codex state.
func (a authLink) link(home string, log *slog.Logger) error {
	file := a.file
	if file == "" {
		file = DefaultAuthFile()
	}
	if file != "" {
		_, err := os.Stat(file)
		if err == nil {
			if err := os.Symlink(file, filepath.Join(home, "auth.json")); err != nil {
				return fmt.Errorf("link codex auth file %q: %w", file, err)
			}
			return nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("codex auth file %q: %w", file, err)
		}
	}
	if a.used && !a.keyInEnv {
		a.warnOnce.Do(func() {
			log.Warn("codex auth.json not found and no provider API key is set; agents start without operator credentials", "path", file)
		})
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
