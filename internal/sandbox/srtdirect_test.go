package sandbox_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/sandbox"
	"github.com/symphony-go/symphony/internal/testenv"
)

// TestSRTDirectMatrix runs the same attack script under srt with no agent at all, launched
// exactly as a session would be (settings file writer + Launch wrapper), so the srt column
// of the matrix is known independently of Codex.
func TestSRTDirectMatrix(t *testing.T) {
	testenv.SRT(t)
	for _, tool := range []string{"bwrap", "socat", "rg", "curl", "git"} {
		testenv.Tool(t, tool)
	}
	r := newRig(t)
	in := r.input(sandbox.ModeSRT, "127.0.0.1:9", r.allowEntry(sandbox.ModeSRT))
	in.Permissions.OuterSandbox.Command = testenv.SRT(t)
	pol, err := sandbox.Resolve(in)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := pol.WriteSRTSettings(filepath.Join(r.state, "sessions"), srtTempDir(t))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sess.Close() }()
	argv, err := sess.Launch(r.attackScript() + "; " + r.hostProbe())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = r.ws
	// The Codex adapter would have written CODEX_HOME's config before launch.
	writeFile(t, filepath.Join(r.session, "home", "config.toml"), "model = \"m\"\n")
	cmd.Env = append(os.Environ(), "HOME="+r.home, "TMPDIR="+r.session, "CODEX_HOME="+filepath.Join(r.session, "home"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("srt run failed: %v\n%s", err, out)
	}
	t.Logf("srt output:\n%s", out)
	got := r.outcome(t, string(out))
	for _, a := range scriptedAttacks() {
		if want := sandbox.Measured[a.ID][sandbox.ModeSRT]; got[a.ID] != want {
			t.Errorf("%s under plain srt: observed %s, sandbox.Measured says %s (%s)", a.ID, got[a.ID], want, a.Description)
		}
	}
}
