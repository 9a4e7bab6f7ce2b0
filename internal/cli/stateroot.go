package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/symphony-go/symphony/internal/store"
)

// stateOwnerFile names, inside a state root, the file recording which symphony.yml owns it.
const stateOwnerFile = "owner"

// defaultStateRoot is the state root of one config file when neither --state-root nor
// SYMPHONY_STATE_ROOT names one: a directory of its own under $XDG_STATE_HOME/symphony (or
// ~/.local/state/symphony), so two projects on one machine never share runs, retries or pauses.
// The name is readable (the config's directory) and unique (a hash of its absolute path).
func defaultStateRoot(configPath string) string {
	abs := absPath(configPath)
	sum := sha256.Sum256([]byte(abs))
	name := sanitizeRepoKey(filepath.Base(filepath.Dir(abs))) + "-" + hex.EncodeToString(sum[:])[:12]
	return filepath.Join(stateHome(), "symphony", name)
}

// stateHome is $XDG_STATE_HOME, else ~/.local/state, else a directory beside the working
// directory when there is no home at all.
func stateHome() string {
	if v := os.Getenv("XDG_STATE_HOME"); v != "" {
		return absPath(v)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return absPath(".symphony-state")
	}
	return filepath.Join(home, ".local", "state")
}

// claimStateRoot makes sure the state root belongs to the config at configPath: it records the
// config's absolute path at first use (atomically, so a crash never leaves half a name) and
// refuses a state root another config already owns, since sharing one would let a service
// resume another project's retries and pauses.
func claimStateRoot(root, configPath string) error {
	cfgAbs := absPath(configPath)
	owner, err := readStateOwner(root)
	if err != nil {
		return failure(err)
	}
	if owner == "" {
		err := writeStateOwner(root, cfgAbs)
		var refused *ExitError
		if err != nil && !errors.As(err, &refused) {
			return failure(fmt.Errorf("record the owner of state root %s: %w", root, err))
		}
		return err
	}
	return checkStateOwner(root, owner, cfgAbs)
}

// checkStateOwner refuses a state root owned by another config (exit 2).
func checkStateOwner(root, owner, cfgAbs string) error {
	if owner == cfgAbs {
		return nil
	}
	return usageErr(fmt.Errorf("state root %s belongs to %s, not to %s (recorded in %s); "+
		"give this config its own state root with --state-root or SYMPHONY_STATE_ROOT, "+
		"or leave both unset for the per-config default",
		root, owner, cfgAbs, filepath.Join(root, stateOwnerFile)))
}

// readStateOwner returns the recorded owner, or "" when the state root has none yet.
func readStateOwner(root string) (string, error) {
	data, err := os.ReadFile(filepath.Join(root, stateOwnerFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read the owner of state root %s: %w", root, err)
	}
	return strings.TrimSpace(string(data)), nil
}

func writeStateOwner(root, cfgAbs string) error {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(root, ".owner-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(cfgAbs + "\n")
	if err := errors.Join(werr, tmp.Sync(), tmp.Close()); err != nil {
		return err
	}
	dest := filepath.Join(root, stateOwnerFile)
	// A hard link fails when another service claimed the root first, unlike a rename, which
	// would silently replace its claim.
	if err := os.Link(tmp.Name(), dest); err != nil {
		if errors.Is(err, fs.ErrExist) {
			owner, rerr := readStateOwner(root)
			if rerr != nil {
				return rerr
			}
			return checkStateOwner(root, owner, cfgAbs)
		}
		return err
	}
	return nil
}

// legacyStateRoot is the single state root every config shared before state roots became per
// config; it returns that directory when it still holds a run store, so the operator can be
// told where the older history is.
func legacyStateRoot() (string, bool) {
	root := filepath.Join(stateHome(), "symphony")
	_, err := os.Stat(filepath.Join(root, store.FileName))
	return root, err == nil
}
