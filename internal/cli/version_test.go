package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestBuildVersion(t *testing.T) {
	vcs := func(modified string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: modified}}}, true
		}
	}
	none := func() (*debug.BuildInfo, bool) { return nil, false }
	tests := []struct {
		name, version, commit string
		info                  func() (*debug.BuildInfo, bool)
		wantV, wantC          string
	}{
		{"stamped", "v1.2.0-3-gabc", "abc123", vcs("false"), "v1.2.0-3-gabc", "abc123"},
		{"vcs clean", "", "", vcs("false"), "0123456789ab", "0123456789abcdef0123"},
		{"vcs dirty", "", "", vcs("true"), "0123456789ab-dirty", "0123456789abcdef0123"},
		{"nothing", "", "", none, "(devel)", "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, c := buildVersion(tt.version, tt.commit, tt.info)
			if v != tt.wantV || c != tt.wantC {
				t.Fatalf("buildVersion = %q, %q; want %q, %q", v, c, tt.wantV, tt.wantC)
			}
		})
	}
}

// TestBuildScriptStampsVersion builds with scripts/build and checks the binary reports the
// checkout's `git describe` and HEAD.
func TestBuildScriptStampsVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	root := repoRoot(t)
	bin := filepath.Join(t.TempDir(), "symphony")
	build := exec.Command(filepath.Join(root, "scripts", "build"), "-o", bin)
	build.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("scripts/build: %v\n%s", err, out)
	}
	want := func(args ...string) string {
		out, err := exec.Command("git", append([]string{"-C", root}, args...)...).Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	got, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	line := "symphony " + want("describe", "--tags", "--always", "--dirty") + " (commit " + want("rev-parse", "HEAD") + ")\n"
	if string(got) != line {
		t.Fatalf("version printed %q, want %q", got, line)
	}
}

// repoRoot is the top of the checkout holding this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}
