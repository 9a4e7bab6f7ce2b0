package gitremote

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// outputLimit caps the git output a failure carries, as the reference does.
const outputLimit = 4096

// processWaitDelay bounds how long a finished git's leftover children may hold its pipes.
const processWaitDelay = 2 * time.Second

// tokenVariable carries the operator's token to the credential helper, in the git child's
// environment only.
const tokenVariable = "SYMPHONY_GIT_TOKEN"

// result is what one git run printed.
type result struct {
	stdout, stderr string
	exitCode       int
	timedOut       bool
}

// run runs git in its own process group, killed with everything it started when timeout
// passes or ctx ends. Only Symphony's environment without GIT_* variables reaches it (plus
// extra), so no inherited askpass, directory or config override changes what it does.
func run(ctx context.Context, timeout time.Duration, extraEnv []string, args ...string) (result, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = processWaitDelay
	cmd.Env = append(gitFreeEnv(), append([]string{"GIT_TERMINAL_PROMPT=0", "GCM_INTERACTIVE=never"}, extraEnv...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return res, nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		res.timedOut = true
		return res, err
	case errors.As(err, &exitErr):
		res.exitCode = exitErr.ExitCode()
		return res, nil
	}
	return res, err
}

func gitFreeEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") && !strings.HasPrefix(kv, tokenVariable+"=") && !strings.HasPrefix(kv, "SSH_ASKPASS=") {
			out = append(out, kv)
		}
	}
	return out
}

// sanitize shortens the home directory to ~ and cuts the text to outputLimit bytes.
func sanitize(text string) string {
	text = strings.TrimSpace(text)
	if home, err := os.UserHomeDir(); err == nil && home != "" && home != "/" {
		text = strings.ReplaceAll(text, home, "~")
	}
	if len(text) > outputLimit {
		cut := outputLimit
		for cut > 0 && !isRuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "... (truncated)"
	}
	return text
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
