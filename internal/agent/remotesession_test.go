package agent

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/sshworker/sshdtest"
	"github.com/symphony-go/symphony/internal/testenv"
)

// localRemote runs a "host's" commands with this machine's sh, as ssh would run them there.
func localRemote() *Remote {
	return &Remote{Host: "local", Run: func(ctx context.Context, argv []string, stdin io.Reader) ([]byte, error) {
		out, code, stderr, err := sshdtest.RunLocally(ctx, argv, stdin)
		if err != nil {
			return out, &sshworker.CommandError{Host: "local", ExitCode: code, Stderr: stderr}
		}
		return out, nil
	}}
}

// One round trip makes the private directory, its subdirectories, the env file and the
// session's files, private and byte for byte, whatever quotes and shell syntax they hold.
func TestCreateSessionDirWritesEverythingInOneGo(t *testing.T) {
	root := filepath.Join(t.TempDir(), "sessions")
	dir := filepath.Join(root, "codex-abc")
	env := "export KEY='it'\\''s $HOME `x`'\n"
	toml := "model = \"o'3\"\n[mcp]\npath = '$(rm -rf /)'\n\\n not a newline\n"
	r := localRemote()
	if err := r.CreateSessionDir(context.Background(), dir, []string{"home", "tmp"}, env, RemoteFile{Path: dir + "/home/config.toml", Data: []byte(toml)}); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{dir + "/env": env, dir + "/home/config.toml": toml} {
		got, err := os.ReadFile(path)
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", path, got, err, want)
		}
		if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, %v; want 0600", path, info.Mode().Perm(), err)
		}
	}
	for _, d := range []string{dir, dir + "/home", dir + "/tmp"} {
		if info, err := os.Stat(d); err != nil || !info.IsDir() || info.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v, %v; want a 0700 directory", d, info, err)
		}
	}
}

// A private directory that exists already is refused and left alone; one that fails half way
// is removed again.
func TestCreateSessionDirRefusesAndCleansUp(t *testing.T) {
	root := filepath.Join(t.TempDir(), "sessions")
	taken := filepath.Join(root, "codex-taken")
	if err := os.MkdirAll(taken, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(taken+"/keep", []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := localRemote()
	err := r.CreateSessionDir(context.Background(), taken, nil, "")
	if err == nil || CodeOf(err) != CodeWorkerHostUnavailable {
		t.Fatalf("existing dir: %v, want a host failure", err)
	}
	if got, err := os.ReadFile(taken + "/keep"); err != nil || string(got) != "mine" {
		t.Fatalf("the existing directory was touched: %q, %v", got, err)
	}
	half := filepath.Join(root, "codex-half")
	err = r.CreateSessionDir(context.Background(), half, nil, "", RemoteFile{Path: half + "/missing/config.toml", Data: []byte("x")})
	if err == nil {
		t.Fatal("a file in a directory that was never made was written")
	}
	if _, err := os.Stat(half); !os.IsNotExist(err) {
		t.Fatalf("the half-made directory is still there: %v", err)
	}
	for _, bad := range []RemoteFile{{Path: root + "/elsewhere"}, {Path: half + "/../escape"}, {Path: half + "/nul", Data: []byte("a\x00b")}} {
		if err := r.CreateSessionDir(context.Background(), half, nil, "", bad); err == nil || !strings.Contains(err.Error(), "session file") {
			t.Errorf("file %q: %v, want it refused", bad.Path, err)
		}
	}
}

// HOME and the workspace's git roots come back from one round trip; a HOME that is not an
// absolute path is refused.
func TestHomeAndGitRootsInOneGo(t *testing.T) {
	ws := t.TempDir()
	testenv.Git(t, ws, "init", "-q")
	home := t.TempDir()
	t.Setenv("HOME", home)
	home, roots, err := localRemote().HomeAndGitRoots(context.Background(), ws)
	if err != nil {
		t.Fatal(err)
	}
	if home != os.Getenv("HOME") {
		t.Errorf("home %q, want %q", home, os.Getenv("HOME"))
	}
	real, _ := filepath.EvalSymlinks(ws)
	if len(roots) < 2 || roots[0] != ws+"/.git" || roots[1] != real+"/.git" {
		t.Errorf("git roots %q, want %s/.git then git's own report", roots, ws)
	}
	t.Setenv("HOME", "relative/home")
	if _, _, err := localRemote().HomeAndGitRoots(context.Background(), ws); err == nil || !strings.Contains(err.Error(), "HOME") {
		t.Errorf("a relative HOME: %v, want it refused", err)
	}
}
