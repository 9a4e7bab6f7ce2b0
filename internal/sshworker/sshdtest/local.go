package sshdtest

import (
	"bytes"
	"context"
	"io"
	"os/exec"
)

// RunLocally runs a remote argv on this machine, as a worker host's login shell runs it after
// ssh, for tests of remote scripts that need no sshd: its stdout and, when it fails, its exit
// code and stderr.
func RunLocally(ctx context.Context, argv []string, stdin io.Reader) (stdout []byte, exitCode int, stderr string, err error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = stdin
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	stdout, err = cmd.Output()
	if err != nil {
		return stdout, cmd.ProcessState.ExitCode(), errOut.String(), err
	}
	return stdout, 0, "", nil
}
