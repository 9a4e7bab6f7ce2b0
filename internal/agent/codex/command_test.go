package codex

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codexfake"
	"github.com/symphony-go/symphony/internal/sandbox"
)

// profileResetHome is a HOME whose login files reset PATH the way Debian's /etc/profile does,
// and a bin directory holding a `codex` that runs this test binary as the fake app-server.
// The bin directory is on the PATH the session is given, never on the one a login shell sees.
func profileResetHome(t *testing.T) (home, bin string) {
	t.Helper()
	home, bin = t.TempDir(), t.TempDir()
	for _, name := range []string{".bash_profile", ".profile"} {
		if err := os.WriteFile(filepath.Join(home, name), []byte("PATH=/usr/bin:/bin\nexport PATH\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	script := "#!/bin/sh\nexec " + shellQuote(os.Args[0]) + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "codex"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return home, bin
}

func TestCodexFoundOnInvokingPathDespiteLoginProfile(t *testing.T) {
	home, bin := profileResetHome(t)
	cases := []struct {
		name       string
		command    string
		loginShell bool
		want       agent.Code
	}{
		{"plain words run directly", "codex app-server", false, ""},
		{"a command needing a shell runs under bash -c", "codex app-server 2>/dev/null", false, ""},
		{"login shell asked for: the profile's PATH hides codex", "codex app-server", true, agent.CodeCodexNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkNoGoroutineLeak(t)
			rec := &recorder{}
			o := fakeOptions(t, codexfake.FakeComplete, rec)
			o.Command, o.LoginShell = c.command, c.loginShell
			o.Env = append(o.Env, "HOME="+home, "PATH="+bin+":/usr/bin:/bin")
			s := New(o)
			ctx := context.Background()
			defer s.Stop(ctx)
			err := s.Start(ctx)
			if got := agent.CodeOf(err); got != c.want {
				t.Fatalf("Start: code %q (%v), want %q", got, err, c.want)
			}
			if c.want != "" {
				return
			}
			if res, err := s.RunTurn(ctx, "go"); err != nil || res.LastMessage != "fake turn turn_1 done" {
				t.Fatalf("turn = %+v, %v", res, err)
			}
		})
	}
}

func TestMissingProgramNamesCommandAndPath(t *testing.T) {
	rec := &recorder{}
	o := fakeOptions(t, codexfake.FakeComplete, rec)
	o.Command = "symphony-no-such-codex app-server"
	o.Env = append(o.Env, "PATH=/nonexistent/bin:/usr/bin")
	s := New(o)
	defer s.Stop(context.Background())
	err := s.Start(context.Background())
	if agent.CodeOf(err) != agent.CodeCodexNotFound {
		t.Fatalf("code = %q (%v), want codex_not_found", agent.CodeOf(err), err)
	}
	for _, want := range []string{`agent.command "symphony-no-such-codex app-server"`, `program "symphony-no-such-codex"`, `PATH "/nonexistent/bin:/usr/bin"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if entries, _ := os.ReadDir(o.StateDir); len(entries) != 0 {
		t.Errorf("a failed start left %d entries in the state dir", len(entries))
	}
}

func TestLaunchCommandArgv(t *testing.T) {
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "codex"), []byte("#!/bin/sh\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(bin, "codex")
	exclude := sandbox.CodexShellEnvExclude()
	quoted := " --config " + shellQuote(toolOutputTokenLimitFlag) + " --config " + shellQuote(exclude) + " --config 'a=b c'"
	cases := []struct {
		command string
		login   bool
		want    []string
	}{
		{"codex app-server", false, []string{abs, "app-server", "--config", toolOutputTokenLimitFlag, "--config", exclude, "--config", "a=b c"}},
		{"codex app-server | cat", false, []string{"bash", "-c", shellQuote(abs) + " app-server | cat" + quoted}},
		{"codex app-server", true, []string{"bash", "-lc", "codex app-server" + quoted}},
		{"'/opt/my codex' app-server", false, []string{"bash", "-c", "'/opt/my codex' app-server" + quoted}},
		{"exec codex app-server", false, []string{"bash", "-c", "exec codex app-server" + quoted}},
		{"FOO=1 codex app-server", false, []string{"bash", "-c", "FOO=1 codex app-server" + quoted}},
	}
	for _, c := range cases {
		s := New(Options{Command: c.command, LoginShell: c.login, Env: []string{"PATH=relative:" + bin}, ConfigOverrides: []string{"a=b c"}})
		got, err := s.argv()
		if err != nil || strings.Join(got, "\x00") != strings.Join(c.want, "\x00") {
			t.Errorf("%q (login %v): argv = %q, %v\nwant %q", c.command, c.login, got, err, c.want)
		}
	}
}

func TestShellQuoteSurvivesBash(t *testing.T) {
	cases := map[string]string{
		"":                  `''`,
		"plain":             `'plain'`,
		"it's":              `'it'\''s'`,
		"''":                `''\'''\'''`,
		`a={"/"="read"} $x`: `'a={"/"="read"} $x'`,
	}
	for in, want := range cases {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
		out, err := exec.Command("bash", "-c", "printf %s "+shellQuote(in)).Output()
		if err != nil || string(out) != in {
			t.Errorf("bash reads %s as %q (%v), want %q", shellQuote(in), out, err, in)
		}
	}
}
