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

// srtDenyRead is the shared list plus the operator's own Codex credentials. The session's
// CODEX_HOME cannot be listed: srt confines the Codex process itself, which must read it.
func (p *Policy) srtDenyRead() []string {
	var codexFiles []string
	for _, f := range codexRuntimeFiles {
		codexFiles = append(codexFiles, operatorCodexHome+"/"+f)
	}
	return bothForms(append(slices.Clone(p.DenyRead), codexFiles...), p.Home)
}

// srtAllowWrite is the workspace, the object stores of git roots outside it, the session's
// CODEX_HOME (Codex writes sessions and logs there) and /tmp, matching Codex's own
// workspace-write default.
func (p *Policy) srtAllowWrite() []string {
	out := []string{p.Workspace}
	for _, r := range p.GitRoots {
		if !within(r, p.Workspace) {
			out = append(out, filepath.Join(r, "objects"))
		}
	}
	if p.CodexHome != "" {
		out = append(out, p.CodexHome)
	}
	out = append(out, "/tmp")
	return dedupe(out)
}

func (p *Policy) srtDenyWrite() []string {
	out := bothForms(homeWriteDeny, p.Home)
	for _, w := range workspaceWriteDeny {
		out = append(out, filepath.Join(p.Workspace, w))
	}
	out = append(out, p.gitWriteDeny()...)
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
	command      string
}

// WriteSRTSettings writes the settings to a fresh 0700 directory under parent (os.TempDir
// when empty) as a 0600 file. Close removes it when the session ends.
func (p *Policy) WriteSRTSettings(parent string) (*SRTSession, error) {
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
	return &SRTSession{SettingsPath: path, dir: dir, command: p.OuterCommand}, nil
}

// Close removes the settings file and its directory.
func (s *SRTSession) Close() error {
	if err := os.RemoveAll(s.dir); err != nil {
		return fmt.Errorf("remove srt settings: %w", err)
	}
	return nil
}

// srtPrelude runs inside srt before the agent. srt's network namespace has no direct route
// out, so NO_PROXY is cleared to send loopback traffic through srt's filtering proxy too;
// proxy URLs naming localhost are pinned to 127.0.0.1 (a name that could resolve to ::1,
// where the proxy does not listen); SSL_CERT_FILE gets the system bundle only if unset.
const srtPrelude = `for v in HTTP_PROXY HTTPS_PROXY http_proxy https_proxy ALL_PROXY all_proxy; do ` +
	`eval "u=\${$v-}"; case "$u" in *://localhost:*) eval "export $v=\"\$(printf %s \"\$u\" | sed s#://localhost:#://127.0.0.1:#)\"";; esac; done; ` +
	`[ -n "${SSL_CERT_FILE-}" ] || [ ! -f /etc/ssl/cert.pem ] || export SSL_CERT_FILE=/etc/ssl/cert.pem; ` +
	`export NO_PROXY= no_proxy=; `

// Launch wraps the agent's shell command for srt. The outer bash reads no startup files,
// which srt would deny anyway and which an agent could have planted.
func (s *SRTSession) Launch(shellCommand string) []string {
	inner := s.command + " --settings " + shellQuote(s.SettingsPath) + " sh -c " + shellQuote(srtPrelude+shellCommand)
	return []string{"bash", "--noprofile", "--norc", "-c", inner}
}

// shellQuote single-quotes s for POSIX shells.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
