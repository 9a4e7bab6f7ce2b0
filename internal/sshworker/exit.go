package sshworker

import (
	"bufio"
	"bytes"
	"strings"
)

// sshFailureExit is the status OpenSSH reserves for its own errors (refused, unreachable, auth
// failure, dropped connection); a remote command's status is passed through unchanged otherwise.
const sshFailureExit = 255

// Exit describes how an ssh child ended, as the run supervisor observed it.
type Exit struct {
	Code          int    // exit status; meaningless when Signaled
	Signaled      bool   // the ssh process itself was killed, normally by Symphony's own cancel
	HandshakeDone bool   // the agent answered its protocol handshake over this connection
	TurnStarted   bool   // a turn began, so the agent may have changed the workspace
	Stderr        []byte // what ssh and the remote command wrote to stderr
}

// Verdict is what a finished remote run means for scheduling.
type Verdict struct {
	HostFailure bool   // count it against the host (RecordCheck), not the issue
	Code        string // CodeWorkerHostUnavailable for host failures, "" otherwise
	// ConsumesRetry is false only for a host failure before any turn started: nothing can have
	// happened in the workspace, so the issue moves to another host on the same attempt.
	ConsumesRetry bool
	Reason        string // ssh's own error line when it gave one
}

// Classify tells a dead or unreachable host apart from the agent's own failure. Exit 255 is
// ssh's; an agent that never completed its handshake never ran, whatever the status, so that is
// also the host's fault (missing binary, full disk, broken login shell). After the handshake,
// any status other than 255 is the agent's and belongs to the attempt.
func Classify(e Exit) Verdict {
	if e.Signaled {
		return Verdict{ConsumesRetry: true} // Symphony's cancel; the canceller decides what follows
	}
	if e.Code == 0 && e.HandshakeDone {
		return Verdict{ConsumesRetry: true}
	}
	if e.Code == sshFailureExit || !e.HandshakeDone {
		return Verdict{HostFailure: true, Code: CodeWorkerHostUnavailable, ConsumesRetry: e.TurnStarted,
			Reason: SSHErrorLine(e.Stderr)}
	}
	return Verdict{ConsumesRetry: true}
}

// SSHErrorLine picks the line of ssh's stderr that explains a connection failure, preferring
// ssh's own "ssh: ..." messages, else the last non-empty line, cut to 300 bytes for logs.
func SSHErrorLine(stderr []byte) string {
	var own, last string
	sc := bufio.NewScanner(bytes.NewReader(stderr))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		last = line
		if strings.HasPrefix(line, "ssh: ") || strings.Contains(line, "Permission denied") ||
			strings.Contains(line, "Host key verification failed") {
			own = line
		}
	}
	if own == "" {
		own = last
	}
	return truncate(own, 300)
}
