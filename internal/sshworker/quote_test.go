package sshworker

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/testenv"
)

// shellArgv runs `sh -c line` the way sshd hands a command to the login shell, with a command
// that prints each argument it receives followed by NUL, and returns the arguments.
func shellArgv(t testing.TB, sh, line string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, sh, "-c", line)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("sh -c %q: %v: %s", line, err, errOut.String())
	}
	got := strings.Split(out.String(), "\x00")
	return got[:len(got)-1]
}

// printArgs is the remote command under test: printf repeats its format once per argument.
func printArgs(args ...string) []string {
	return append([]string{"printf", `%s\000`}, args...)
}

var hostileArgs = []string{
	"", " ", "'", "''", `"`, `\`, `\'`, "$HOME", "${PATH}", "$(touch /tmp/pwned)", "`id`",
	"a;b", "a|b", "a&&b", "a\nb", "\t", "*", "?", "[a]", "~", "~root", "#c", "!x", "-n",
	"ABC-123'; rm -rf / #", "it's", "%s", "\r", "é✓", "a b  c",
}

func TestCommandLineRoundTripsThroughRealShells(t *testing.T) {
	for _, name := range []string{"sh", "bash", "dash"} {
		sh, err := exec.LookPath(name)
		if err != nil {
			if name == "sh" {
				testenv.Missing(t, "/bin/sh")
			}
			continue
		}
		t.Run(name, func(t *testing.T) {
			for _, arg := range hostileArgs {
				line, err := CommandLine(printArgs(arg))
				if err != nil {
					t.Fatal(err)
				}
				got := shellArgv(t, sh, line)
				if len(got) != 1 || got[0] != arg {
					t.Errorf("%s -c %q gave %q, want [%q]", name, line, got, arg)
				}
			}
			line, err := CommandLine(printArgs(hostileArgs...))
			if err != nil {
				t.Fatal(err)
			}
			if got := shellArgv(t, sh, line); strings.Join(got, "|") != strings.Join(hostileArgs, "|") || len(got) != len(hostileArgs) {
				t.Errorf("all at once gave %q", got)
			}
		})
	}
}

func TestCommandLineRefusesWhatAShellCannotCarry(t *testing.T) {
	if _, err := CommandLine(nil); err == nil {
		t.Error("empty argv accepted")
	}
	_, err := CommandLine([]string{"echo", "a\x00b"})
	if err == nil || !strings.Contains(err.Error(), "argument 1") {
		t.Errorf("NUL byte: got %v, want an error naming argument 1", err)
	}
}

func TestQuoteShape(t *testing.T) {
	tests := map[string]string{"": "''", "abc": "'abc'", "it's": `'it'\''s'`, "$x": "'$x'"}
	for in, want := range tests {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

// FuzzCommandLine proves with the real /bin/sh that the quoted line yields exactly the argv.
func FuzzCommandLine(f *testing.F) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		testenv.Missing(f, "/bin/sh")
	}
	for _, a := range hostileArgs {
		f.Add(a, "x", "")
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		args := []string{a, b, c}
		line, err := CommandLine(printArgs(args...))
		if strings.ContainsRune(a+b+c, 0) {
			if err == nil {
				t.Fatal("NUL byte accepted")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		got := shellArgv(t, sh, line)
		if len(got) != 3 || got[0] != a || got[1] != b || got[2] != c {
			t.Fatalf("sh -c %q gave %q, want %q", line, got, args)
		}
	})
}
