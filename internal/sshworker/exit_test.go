package sshworker

import (
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	refused := []byte("Warning: Permanently added '[127.0.0.1]:2201' to known hosts.\nssh: connect to host 127.0.0.1 port 2201: Connection refused\n")
	tests := []struct {
		name string
		exit Exit
		want Verdict
	}{
		{"clean finish", Exit{Code: 0, HandshakeDone: true, TurnStarted: true}, Verdict{ConsumesRetry: true}},
		{"agent failed after handshake", Exit{Code: 1, HandshakeDone: true, TurnStarted: true}, Verdict{ConsumesRetry: true}},
		{"agent failed before its first turn", Exit{Code: 2, HandshakeDone: true}, Verdict{ConsumesRetry: true}},
		{"connection refused", Exit{Code: 255, Stderr: refused},
			Verdict{HostFailure: true, Code: CodeWorkerHostUnavailable, Reason: "ssh: connect to host 127.0.0.1 port 2201: Connection refused"}},
		{"connection dropped mid-turn", Exit{Code: 255, HandshakeDone: true, TurnStarted: true, Stderr: []byte("client_loop: send disconnect: Broken pipe\n")},
			Verdict{HostFailure: true, Code: CodeWorkerHostUnavailable, ConsumesRetry: true, Reason: "client_loop: send disconnect: Broken pipe"}},
		{"dropped after handshake, before a turn", Exit{Code: 255, HandshakeDone: true},
			Verdict{HostFailure: true, Code: CodeWorkerHostUnavailable}},
		{"agent missing on the host", Exit{Code: 127, Stderr: []byte("bash: codex: command not found\n")},
			Verdict{HostFailure: true, Code: CodeWorkerHostUnavailable, Reason: "bash: codex: command not found"}},
		{"auth failure", Exit{Code: 255, Stderr: []byte("ci@h: Permission denied (publickey).\nextra\n")},
			Verdict{HostFailure: true, Code: CodeWorkerHostUnavailable, Reason: "ci@h: Permission denied (publickey)."}},
		{"killed by symphony", Exit{Signaled: true, TurnStarted: true}, Verdict{ConsumesRetry: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.exit); got != tt.want {
				t.Fatalf("Classify = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSSHErrorLineIsBounded(t *testing.T) {
	if got := SSHErrorLine([]byte("ssh: " + strings.Repeat("x", 1000))); len(got) != 300 {
		t.Fatalf("len = %d, want 300", len(got))
	}
	if got := SSHErrorLine(nil); got != "" {
		t.Fatalf("empty stderr gave %q", got)
	}
}
