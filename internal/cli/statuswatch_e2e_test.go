package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/server"
	"github.com/symphony-go/symphony/internal/testenv"
)

// tmuxTerm is a private tmux server whose one window runs a command in a real terminal.
type tmuxTerm struct {
	bin, socket, session string
	// exitFile receives the command's exit status when it ends.
	exitFile string
	env      []string
}

// newTmuxTerm starts command in a detached 160x50 tmux window with a UTF-8 locale; the tmux
// server is killed when the test ends.
func newTmuxTerm(t *testing.T, env []string, dir string, command ...string) *tmuxTerm {
	t.Helper()
	bin := testenv.Tool(t, "tmux")
	// A short socket directory: tmux's socket path must fit a Unix socket address.
	sockDir, err := os.MkdirTemp("", "tmx")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	tt := &tmuxTerm{bin: bin, socket: filepath.Join(sockDir, "s"), session: "watch",
		env: append(slices.Clone(env), "LANG=C.UTF-8", "LC_ALL=C.UTF-8")}
	t.Cleanup(func() { exec.Command(bin, "-S", tt.socket, "kill-server").Run() })
	// A shell runs the command and writes its exit status to a file. Its own INT trap
	// keeps it alive through a Ctrl-C meant for the command; the command itself starts with
	// default signal handling, since exec resets trapped signals.
	tt.exitFile = filepath.Join(sockDir, "exit")
	script := `trap : INT; "$@"; echo $? >` + tt.exitFile
	args := []string{"-u", "new-session", "-d", "-x", "160", "-y", "50", "-s", tt.session, "-c", dir, "sh", "-c", script, "sh"}
	tt.run(t, append(args, command...)...)
	tt.run(t, "set-option", "-t", tt.session, "remain-on-exit", "on")
	return tt
}

func (tt *tmuxTerm) run(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, tt.bin, append([]string{"-S", tt.socket}, args...)...)
	cmd.Env = tt.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// screen is what the terminal shows now.
func (tt *tmuxTerm) screen(t *testing.T) string {
	return tt.run(t, "capture-pane", "-p", "-t", tt.session)
}

// styledScreen is the screen with its colour and attribute escape sequences.
func (tt *tmuxTerm) styledScreen(t *testing.T) string {
	return tt.run(t, "capture-pane", "-p", "-e", "-t", tt.session)
}

// history is the normal screen with everything scrolled off it (not the alternate screen).
func (tt *tmuxTerm) history(t *testing.T) string {
	return tt.run(t, "capture-pane", "-p", "-S", "-", "-t", tt.session)
}

// waitScreen polls the terminal (bounded) until cond holds for what it shows.
func (tt *tmuxTerm) waitScreen(t *testing.T, what string, cond func(screen string) bool) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		s := tt.screen(t)
		if cond(s) {
			t.Logf("%s: shown", what)
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("the terminal did not show %s within a minute; it shows:\n%s", what, s)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestStatusWatchDrawsTheLiveViewInATerminal(t *testing.T) {
	e := newControlEnv(t, "CTL-1")
	_, out := e.start(t)
	e.waitState(t, "CTL-1 running", out, func(st server.State) bool { return slices.Equal(runningIDs(st), []string{"CTL-1"}) })
	url, err := server.ReadControlURL(e.state)
	if err != nil {
		t.Fatal(err)
	}

	term := newTmuxTerm(t, append(slices.Clone(e.env), "NO_COLOR=1"), e.dir, e.bin, "--config", e.config, "status", "--watch")
	term.waitScreen(t, "the running issue and the dashboard URL", func(s string) bool {
		return strings.Contains(s, "● CTL-1 ") && strings.Contains(s, "Dashboard: "+url) && strings.Contains(s, "Agents: 1/4")
	})
	if styled := term.styledScreen(t); strings.Contains(styled, "\x1b[3") || strings.Contains(styled, "\x1b[1m") {
		t.Errorf("NO_COLOR is set but the view is coloured:\n%q", styled)
	}

	// A run starts: a new issue appears in the tracker and the service dispatches it.
	issue := "---\ntitle: Task 2\nstate: Todo\npriority: 2\n---\nDo task 2.\n"
	if err := os.WriteFile(filepath.Join(e.issues, "CTL-2.md"), []byte(issue), 0o644); err != nil {
		t.Fatal(err)
	}
	term.waitScreen(t, "the new run", func(s string) bool {
		return strings.Contains(s, "● CTL-1 ") && strings.Contains(s, "● CTL-2 ") && strings.Contains(s, "Agents: 2/4")
	})

	// A run ends: the operator stops CTL-1, which leaves the running table for the held list.
	e.mustCtl(t, "stop", "CTL-1")
	term.waitScreen(t, "CTL-1 held and no longer running", func(s string) bool {
		return !strings.Contains(s, "● CTL-1 ") && !strings.Contains(s, "■ CTL-1 ") && strings.Contains(s, "⏸ CTL-1 ") &&
			strings.Contains(s, "● CTL-2 ") && strings.Contains(s, "Agents: 1/4")
	})

	term.run(t, "send-keys", "-t", term.session, "q")
	term.waitExit(t, 0)
	if s := term.screen(t); strings.Contains(s, "SYMPHONY STATUS") {
		t.Errorf("the view is still on the screen after it quit:\n%s", s)
	}
	// Quitting the view leaves the service running.
	if st := e.status(t); !slices.Equal(runningIDs(st), []string{"CTL-2"}) {
		t.Errorf("after the view quit the service runs %v, want [CTL-2]", runningIDs(st))
	}
}

func TestStatusWatchPrintsThePlainViewWhenNotATerminal(t *testing.T) {
	e := newControlEnv(t, "CTL-1")
	_, out := e.start(t)
	e.waitState(t, "CTL-1 running", out, func(st server.State) bool { return slices.Equal(runningIDs(st), []string{"CTL-1"}) })

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, "--config", e.config, "status", "--watch")
	cmd.Env, cmd.Dir = e.env, e.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	// Two printings of the plain view, 2 s apart, with no escape sequences for a pipe to choke on.
	lines := bufio.NewScanner(stdout)
	views := 0
	var seen []string
	for views < 2 && lines.Scan() {
		line := lines.Text()
		seen = append(seen, line)
		if strings.Contains(line, "\x1b") {
			t.Fatalf("the piped view has an escape sequence: %q", line)
		}
		if strings.HasPrefix(line, "Dispatch: active") {
			views++
		}
	}
	if views < 2 || !slices.ContainsFunc(seen, func(l string) bool { return strings.HasPrefix(l, "  CTL-1 ") }) {
		t.Fatalf("piped status --watch printed %d views:\n%s", views, strings.Join(seen, "\n"))
	}
	syscall.Kill(cmd.Process.Pid, syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Errorf("status --watch after SIGINT: %v", err)
	}
}

func TestServiceDrawsTheLiveViewOnItsTerminal(t *testing.T) {
	e := newControlEnv(t, "CTL-1")
	cfg, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	on := strings.Replace(string(cfg), "snapshot_publish_ms: 200}", "snapshot_publish_ms: 200, terminal: true}", 1)
	if on == string(cfg) {
		t.Fatal("the test config has no dashboard line to turn the terminal view on in")
	}
	if err := os.WriteFile(e.config, []byte(on), 0o644); err != nil {
		t.Fatal(err)
	}

	term := newTmuxTerm(t, e.env, e.dir, e.bin, "--config", e.config)
	// The kill-server cleanup ends the service with SIGHUP if the test fails before it stops.
	screen := term.waitScreen(t, "the live view with the running issue", func(s string) bool {
		return strings.Contains(s, "╭─ SYMPHONY STATUS") && strings.Contains(s, "● CTL-1 ")
	})
	if strings.Contains(screen, "level=") {
		t.Errorf("log lines tore into the live view:\n%s", screen)
	}
	if styled := term.styledScreen(t); !strings.Contains(styled, "\x1b[3") {
		t.Errorf("without NO_COLOR the view has no colour:\n%q", styled)
	}

	term.run(t, "send-keys", "-t", term.session, "q")
	term.waitScreen(t, "the view closed", func(s string) bool { return !strings.Contains(s, "SYMPHONY STATUS") })
	if st := e.status(t); !slices.Equal(runningIDs(st), []string{"CTL-1"}) {
		t.Errorf("after the view closed the service runs %v, want [CTL-1]", runningIDs(st))
	}

	// With the view closed, Ctrl-C is the service's again: it stops cleanly.
	term.run(t, "send-keys", "-t", term.session, "C-c")
	term.waitExit(t, 0)
	if h := term.history(t); !strings.Contains(h, "symphony stopped") {
		t.Errorf("the service did not say it stopped:\n%s", h)
	}
}

// waitExit waits (bounded) for the command in the window to exit, and checks its status.
func (tt *tmuxTerm) waitExit(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		data, err := os.ReadFile(tt.exitFile)
		if err == nil && strings.HasSuffix(string(data), "\n") {
			if got := strings.TrimSpace(string(data)); got != fmt.Sprint(want) {
				t.Fatalf("the command exited with status %s, want %d; the terminal shows:\n%s", got, want, tt.history(t))
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the command did not exit within a minute; the terminal shows:\n%s", tt.history(t))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
