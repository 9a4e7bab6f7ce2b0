package sandbox

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// SRTSettings is the settings file srt (sandbox runtime 0.0.78) reads with --settings. srt
// refuses to start unless all five list fields are present, so they are never omitted.
type SRTSettings struct {
	Filesystem                   SRTFilesystem `json:"filesystem"`
	Network                      SRTNetwork    `json:"network"`
	EnableWeakerNestedSandbox    bool          `json:"enableWeakerNestedSandbox"`
	EnableWeakerNetworkIsolation bool          `json:"enableWeakerNetworkIsolation"`
}

// SRTFilesystem is the filesystem block of SRTSettings.
type SRTFilesystem struct {
	DenyRead   []string `json:"denyRead"`
	AllowWrite []string `json:"allowWrite"`
	DenyWrite  []string `json:"denyWrite"`
}

// SRTNetwork is the network block of SRTSettings.
type SRTNetwork struct {
	AllowedDomains []string `json:"allowedDomains"`
	DeniedDomains  []string `json:"deniedDomains"`
	// AllowUnixSockets is honoured by srt on macOS only; on Linux its seccomp filter blocks
	// every Unix socket connect regardless of path.
	AllowUnixSockets  []string `json:"allowUnixSockets,omitempty"`
	AllowLocalBinding bool     `json:"allowLocalBinding"`
	StrictAllowlist   bool     `json:"strictAllowlist"`
}

// SRTSettings renders the outer sandbox settings. It fails unless the policy selected srt.
func (p *Policy) SRTSettings() (SRTSettings, error) {
	if p.Outer != OuterSRT {
		return SRTSettings{}, errf(CodeInvalidOuterSandbox, "agent.permissions.outer_sandbox.runtime", "srt settings requested but the outer sandbox is %q", p.Outer)
	}
	return SRTSettings{
		Filesystem: SRTFilesystem{
			DenyRead:   p.srtDenyRead(),
			AllowWrite: p.srtAllowWrite(),
			DenyWrite:  p.srtDenyWrite(),
		},
		Network: SRTNetwork{
			AllowedDomains:    p.srtAllowedDomains(),
			DeniedDomains:     nonNil(p.DeniedDomains),
			AllowUnixSockets:  nonEmpty(p.SocketDir),
			AllowLocalBinding: true,
			StrictAllowlist:   true,
		},
		// Needed where bubblewrap cannot mount a fresh /proc (containers, nested namespaces).
		EnableWeakerNestedSandbox:    true,
		EnableWeakerNetworkIsolation: p.WeakerNetworkIsolation,
	}, nil
}

// srtDenyRead is the shared list plus Symphony's own state. Codex runtime files cannot be
// listed: srt confines the Codex process itself, which must read its auth.json and
// config.toml, so under srt they stay readable to agent commands too. The session directory
// inside the state root stays usable because srt binds its allowWrite paths back over a
// denied directory.
func (p *Policy) srtDenyRead() []string {
	return dedupe(append(bothForms(p.DenyRead, p.Home), p.SymphonyState...))
}

// srtAllowWrite is the workspace, every git metadata root outside it, and the session's
// private directory (Codex writes sessions, logs and TMPDIR files there). A commit in a linked
// worktree writes the shared objects, refs and logs and the worktree's own index and HEAD, so
// whole roots are writable; srtDenyWrite then takes back config, hooks, info and packed-refs.
// Shared /tmp is not writable, as in the Codex-native turn policy.
func (p *Policy) srtAllowWrite() []string {
	out := []string{p.Workspace}
	for _, r := range p.GitRoots {
		if !within(r, p.Workspace) {
			out = append(out, r)
		}
	}
	for _, d := range []string{p.SessionDir, p.CodexHome} {
		if d != "" {
			out = append(out, d)
		}
	}
	return dedupe(out)
}

func (p *Policy) srtDenyWrite() []string {
	out := append(p.guardrailWriteDeny(), p.deniedGitMetadata()...)
	for _, f := range codexRuntimeFiles {
		out = append(out, operatorCodexHome+"/"+f, expandHome(operatorCodexHome+"/"+f, p.Home))
		if p.CodexHome != "" {
			out = append(out, filepath.Join(p.CodexHome, f))
		}
	}
	return dedupe(out)
}

func (p *Policy) srtAllowedDomains() []string {
	all := append(slices.Clone(p.AllowedDomains), p.RuntimeHosts...)
	return nonNil(slices.DeleteFunc(dedupe(all), func(d string) bool { return slices.Contains(p.DeniedDomains, d) }))
}

// deniedGitMetadata are the git metadata entries both bubblewrap layers (srt, Claude's
// sandbox) deny writing: every git root's entries with globs expanded, less those that must
// exist to be denied.
func (p *Policy) deniedGitMetadata() []string {
	var out []string
	for _, g := range expandGlobs(p.gitWriteDeny()) {
		if gitMustExistToDeny(g) {
			out = append(out, g)
		}
	}
	return out
}

// gitMustExistToDeny reports whether a git metadata entry is safe to deny-write under srt.
// srt puts an unreadable placeholder at a missing denied path, and git fails outright on an
// unreadable packed-refs, config.worktree or info file it finds, so those are denied only when
// they already exist; hooks and config are always denied (git tolerates the placeholder).
func gitMustExistToDeny(path string) bool {
	switch filepath.Base(path) {
	case "hooks", "config":
		return true
	}
	_, err := os.Stat(path)
	return err == nil
}

// expandGlobs replaces each pattern with the paths it matches now: srt skips glob write rules
// on Linux, so a worktree's config must be named exactly. Worktrees created after the
// settings are written are not covered.
func expandGlobs(paths []string) []string {
	var out []string
	for _, p := range paths {
		if !strings.ContainsAny(p, "*?[") {
			out = append(out, p)
			continue
		}
		// Match directories and re-attach the file name, so a worktree config the agent could
		// still create is denied as well as one that exists.
		dirs, _ := filepath.Glob(filepath.Dir(p))
		for _, d := range dirs {
			out = append(out, filepath.Join(d, filepath.Base(p)))
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// SRTSession is one session's settings file on disk and the launch wrapper that uses it.
type SRTSession struct {
	SettingsPath string
	dir          string
	tempDir      string
	command      string
	closed       bool
}

// WriteSRTSettings writes the settings to a fresh 0700 directory under parent (os.TempDir
// when empty) as a 0600 file. Close removes it when the session ends. tempDir becomes srt's
// own TMPDIR (see runtimetemp.go): an existing private directory of at most
// MaxRuntimeTempDirLen bytes, which the caller removes once srt has exited.
func (p *Policy) WriteSRTSettings(parent, tempDir string) (*SRTSession, error) {
	if !filepath.IsAbs(tempDir) || len(tempDir) > MaxRuntimeTempDirLen {
		return nil, fmt.Errorf("srt temp directory %q: want an absolute path of at most %d bytes, where srt's proxy sockets still fit a Unix socket address", tempDir, MaxRuntimeTempDirLen)
	}
	settings, err := p.SRTSettings()
	if err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(settings, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode srt settings: %w", err)
	}
	dir, err := os.MkdirTemp(parent, "symphony-srt-")
	if err != nil {
		return nil, fmt.Errorf("create srt settings directory: %w", err)
	}
	path := filepath.Join(dir, "settings.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("write srt settings: %w", err)
	}
	return &SRTSession{SettingsPath: path, dir: dir, tempDir: tempDir, command: p.OuterCommand}, nil
}

// Close removes the settings file and its directory.
func (s *SRTSession) Close() error {
	s.closed = true
	if err := os.RemoveAll(s.dir); err != nil {
		return fmt.Errorf("remove srt settings: %w", err)
	}
	return nil
}

// srtPrelude runs inside srt before the agent. srt replaces TMPDIR with a directory it does
// not let the agent write, so the session's own TMPDIR (carried across in SYMPHONY_TMPDIR)
// is restored. srt's network namespace has no direct route out, so NO_PROXY is cleared to
// send loopback traffic through srt's filtering proxy too; proxy URLs naming localhost are
// pinned to 127.0.0.1 (a name that could resolve to ::1, where the proxy does not listen);
// SSL_CERT_FILE gets the system bundle only if unset.
const srtPrelude = `[ -z "${SYMPHONY_TMPDIR-}" ] || export TMPDIR="$SYMPHONY_TMPDIR"; ` +
	`for v in HTTP_PROXY HTTPS_PROXY http_proxy https_proxy ALL_PROXY all_proxy; do ` +
	`eval "u=\${$v-}"; case "$u" in *://localhost:*) eval "export $v=\"\$(printf %s \"\$u\" | sed s#://localhost:#://127.0.0.1:#)\"";; esac; done; ` +
	`[ -n "${SSL_CERT_FILE-}" ] || [ ! -f /etc/ssl/cert.pem ] || export SSL_CERT_FILE=/etc/ssl/cert.pem; ` +
	`export NO_PROXY= no_proxy=; `

// Launch wraps the agent's shell command for srt; it matches the Codex adapter's
// LaunchWrapper. The outer bash reads no startup files, which srt would deny anyway and which
// an agent could have planted. srt itself runs with the srt temp dir as TMPDIR: it keeps its
// proxy sockets and mount placeholders there (see runtimetemp.go), and the session TMPDIR,
// under the state root, can be too long for a Unix socket address; the agent gets the session
// TMPDIR back in the prelude. It fails after Close, when the settings file is gone.
func (s *SRTSession) Launch(shellCommand string) ([]string, error) {
	if s.closed {
		return nil, fmt.Errorf("srt launch: settings %s were removed when the session closed", s.SettingsPath)
	}
	inner := `SYMPHONY_TMPDIR="${TMPDIR-}" TMPDIR=` + shellQuote(s.tempDir) + " " + s.command + " --settings " + shellQuote(s.SettingsPath) + " sh -c " + shellQuote(srtPrelude+shellCommand)
	return []string{"bash", "--noprofile", "--norc", "-c", inner}, nil
}

// shellQuote single-quotes s for POSIX shells.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
