package sshworker

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"runtime"
	"strings"
	"sync"
)

// RunFunc runs a short remote command with stdin (nil for none) and returns its stdout, as
// Transport.Run does for one host.
type RunFunc func(ctx context.Context, remote []string, stdin io.Reader) ([]byte, error)

// hashPrefixLen is how much of the SHA-256 names an installed copy: enough that two builds
// never share a name.
const hashPrefixLen = 16

// remoteHash defines h, the host's SHA-256 of stdin (sha256sum on Linux, shasum elsewhere).
const remoteHash = `h() { if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi; }
`

// installedScript prints the host's kernel name and machine (uname -s -m) after
// markerPlatform, then "present" when $1 exists with SHA-256 $2.
const installedScript = remoteHash + `printf '` + markerPlatform + `%s\n' "$(uname -s -m)"
[ -f "$1" ] || exit 0
got=$(h < "$1") || exit 0
[ "${got%% *}" = "$2" ] && echo present
exit 0`

// markerPlatform starts the line installedScript reports the host's platform on; what a
// chatty login profile prints before it is ignored.
const markerPlatform = "symphony-platform="

// unamePlatforms maps what uname -s -m prints to Go's GOOS/GOARCH, for the platforms a host
// running a copied Go binary can have.
var unamePlatforms = map[string]string{
	"Linux x86_64": "linux/amd64", "Linux aarch64": "linux/arm64", "Linux arm64": "linux/arm64",
	"Darwin x86_64": "darwin/amd64", "Darwin arm64": "darwin/arm64",
	"FreeBSD amd64": "freebsd/amd64", "FreeBSD arm64": "freebsd/arm64",
}

// checkPlatform refuses a host whose uname (from installedScript's output) is not want, the
// GOOS/GOARCH the local executable was built for.
func checkPlatform(out []byte, want string) error {
	for _, line := range strings.Split(string(out), "\n") {
		if uname, ok := strings.CutPrefix(line, markerPlatform); ok {
			if got := unamePlatforms[strings.TrimSpace(uname)]; got != want {
				return fmt.Errorf("the host is %q (%s) but the executable is built for %s; it cannot run there", strings.TrimSpace(uname), orUnknown(got), want)
			}
			return nil
		}
	}
	return fmt.Errorf("the host did not report its platform (output %q)", out)
}

func orUnknown(platform string) string {
	if platform == "" {
		return "a platform Symphony is not built for"
	}
	return platform
}

// installScript writes stdin to a temporary file in $1, checks its hash against $3, makes it
// executable and renames it to $2, so a reader sees either no file or the whole one.
const installScript = remoteHash + `umask 022 && mkdir -p -- "$1" && t=$(mktemp "$1/.install-XXXXXX") || exit 1
if cat > "$t" && got=$(h < "$t") && [ "${got%% *}" = "$3" ] && chmod 0755 "$t" && mv -f -- "$t" "$2"; then exit 0; fi
rm -f -- "$t"
echo "symphony: the copy written to $2 does not match its hash" >&2
exit 1`

// InstallExecutable copies the local executable, built for this machine's GOOS/GOARCH (the
// running symphony), to dir on a worker host as <name>-<sha256 prefix>, once per content: a
// copy already there with the right hash is kept. A host of another platform is refused
// before anything is copied. It returns the copy's path on the host.
func InstallExecutable(ctx context.Context, run RunFunc, local, dir, name string) (string, error) {
	return installFor(ctx, run, local, dir, name, runtime.GOOS+"/"+runtime.GOARCH)
}

func installFor(ctx context.Context, run RunFunc, local, dir, name, platform string) (string, error) {
	if err := ValidateRemotePath(dir); err != nil {
		return "", fmt.Errorf("install directory: %w", err)
	}
	sum, err := fileHash(local)
	if err != nil {
		return "", err
	}
	remote := path.Join(dir, name+"-"+sum[:hashPrefixLen])
	if err := ValidateRemotePath(remote); err != nil {
		return "", fmt.Errorf("installed executable: %w", err)
	}
	out, err := run(ctx, []string{"sh", "-c", installedScript, "symphony-installed", remote, sum}, nil)
	if err != nil {
		return "", fmt.Errorf("look for %s on the host: %w", remote, err)
	}
	if err := checkPlatform(out, platform); err != nil {
		return "", fmt.Errorf("copy %s to the host: %w", local, err)
	}
	if bytes.HasSuffix(bytes.TrimSpace(out), []byte("\npresent")) {
		return remote, nil
	}
	f, err := os.Open(local)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := run(ctx, []string{"sh", "-c", installScript, "symphony-install", dir, remote, sum}, f); err != nil {
		return "", fmt.Errorf("copy %s to %s on the host: %w", local, remote, err)
	}
	return remote, nil
}

// hashes caches the SHA-256 of local files by path, size and modification time: the symphony
// binary is hashed once per process, not once per session.
var hashes sync.Map

type hashKey struct {
	path  string
	size  int64
	mtime int64
}

func fileHash(file string) (string, error) {
	info, err := os.Stat(file)
	if err != nil {
		return "", err
	}
	key := hashKey{file, info.Size(), info.ModTime().UnixNano()}
	if sum, ok := hashes.Load(key); ok {
		return sum.(string), nil
	}
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", file, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	hashes.Store(key, sum)
	return sum, nil
}
