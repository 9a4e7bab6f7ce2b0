package sandbox

import (
	"slices"
	"strings"
	"testing"
)

func TestIsSensitivePath(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"~/.ssh/id_rsa", true},
		{testHome + "/.ssh", true},
		{"/root/.ssh/known_hosts", true},
		{"~/.aws/credentials", true},
		{"/home/other/.aws/config", true},
		{"~/.config/gh/hosts.yml", true},
		{"~/.codex/auth.json", true},
		{"/home/other/.codex/config.toml", true},
		{"~/.claude/.credentials.json", true},
		{"/etc/sudoers.d/90-agent", true},
		{"/Volumes/Backup/x", true},
		{"~/.netrc", true},
		{"~/.zsh_history", true},
		{"deploy/.env", true},
		{".env.production", true},
		{"certs/server.PEM", true},
		{"tls/private.key", true},
		{"keys/id_ed25519", true},
		{"README.md:", false},
		{"~/.codex/sessions/x.jsonl", false},
		{"~/.sshd_notes", false},
		{"src/environment.go", false},
		{"/etc/hosts", false},
		{"docs/keyboard.md", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsSensitivePath(tt.path, testHome); got != tt.want {
			t.Errorf("IsSensitivePath(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestFirstSensitiveArg(t *testing.T) {
	got, ok := FirstSensitiveArg([]string{"cat", "-n", "--file=~/.aws/credentials", ".env"}, testHome)
	if !ok || got != "--file=~/.aws/credentials" {
		t.Fatalf("FirstSensitiveArg = %q, %v", got, ok)
	}
	if got, ok := FirstSensitiveArg([]string{"go", "test", "-run=TestX", "./..."}, testHome); ok {
		t.Fatalf("flagged %q in a harmless command", got)
	}
}

// FuzzResolveKeepsCodexFilesDenied checks that no allow_read_paths or domain input, however
// odd, leaves a rendered policy in which Codex credentials become readable.
func FuzzResolveKeepsCodexFilesDenied(f *testing.F) {
	f.Add("~/.aws", "example.com")
	f.Add("~/.codex/", "*.npmjs.org:443")
	f.Add("/home/agent/.codex/sessions", "")
	f.Add("~/.codex/auth.json/..", "a")
	f.Fuzz(func(t *testing.T, carve, domain string) {
		p, err := Resolve(Input{
			Runtime: RuntimeCodex, Workspace: testWS, Home: testHome, CodexHome: testCH,
			Permissions: Permissions{
				Filesystem:   Filesystem{AllowReadPaths: strings.Split(carve, ",")},
				Network:      Network{AllowedDomains: []string{domain}},
				OuterSandbox: OuterSandbox{Runtime: OuterSRT},
			},
		})
		if err != nil {
			return
		}
		fs := codexFSMap(p)
		s, err := p.SRTSettings()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"auth.json", "config.toml", "AGENTS.md"} {
			for _, form := range []string{"~/.codex/" + f, testHome + "/.codex/" + f} {
				if fs[form] != "none" || !slices.Contains(s.Filesystem.DenyWrite, form) {
					t.Fatalf("carve-out %q made %s readable or writable", carve, form)
				}
			}
			if fs[testCH+"/"+f] != "none" {
				t.Fatalf("carve-out %q made the session %s readable", carve, f)
			}
		}
	})
}

func FuzzIsSensitivePath(f *testing.F) {
	for _, s := range []string{"~/.ssh/id_rsa", ".env", "a/b.pem", "/etc/sudoers", "x:", "~"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		got := IsSensitivePath(p, testHome)
		if strings.HasPrefix(p, "~/.ssh/") && !strings.Contains(p, "..") && !got {
			t.Fatalf("%q under ~/.ssh not flagged", p)
		}
	})
}
