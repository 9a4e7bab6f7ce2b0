package doctor

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// probeOutputBytes bounds what a probe keeps of a program's output.
const probeOutputBytes = 4 << 10

// probeTimeout bounds one probe below DefaultTimeout, so a slow --version still leaves its
// check time to report what it found (the executable) rather than a bare timeout. It is a
// variable only so the test of the real binaries can wait longer on a loaded machine.
var probeTimeout = 3 * time.Second

// cappedBuffer keeps the first probeOutputBytes written to it and drops the rest.
type cappedBuffer struct{ bytes.Buffer }

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := probeOutputBytes - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// probe runs path with args in its own process group, killing the whole group when ctx ends
// or probeTimeout passes, and returns the first non-empty line of its output.
func probe(ctx context.Context, path string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	// A grandchild holding the output pipe open must not keep the probe waiting.
	cmd.WaitDelay = time.Second
	var out cappedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	line := firstLine(out.String())
	if ctx.Err() != nil {
		return "", fmt.Errorf("`%s %s` did not answer in time", path, strings.Join(args, " "))
	}
	if err != nil {
		if line != "" {
			return "", fmt.Errorf("`%s %s`: %v: %s", path, strings.Join(args, " "), err, line)
		}
		return "", fmt.Errorf("`%s %s`: %v", path, strings.Join(args, " "), err)
	}
	return line, nil
}

// firstLine returns the first non-blank line of s, trimmed and cut to a readable length.
func firstLine(s string) string {
	for line := range strings.Lines(s) {
		if line = strings.TrimSpace(line); line != "" {
			if len(line) > 160 {
				line = line[:160] + "..."
			}
			return line
		}
	}
	return ""
}
