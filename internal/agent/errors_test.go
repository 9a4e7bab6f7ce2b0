package agent

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestErrorCarriesCodeThroughWrapping(t *testing.T) {
	cause := errors.New("broken pipe")
	err := fmt.Errorf("worker: %w", &Error{Code: CodePortExit, Message: "codex exited with status 3", StderrTail: "panic: boom", Err: cause})
	if got := CodeOf(err); got != CodePortExit {
		t.Fatalf("CodeOf = %q, want %q", got, CodePortExit)
	}
	if !errors.Is(err, cause) {
		t.Fatal("the cause is not reachable through errors.Is")
	}
	for _, want := range []string{"port_exit", "status 3", "panic: boom"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error text %q does not mention %q", err.Error(), want)
		}
	}
	if NeedsHumanAttention(err) {
		t.Error("a process exit must be retryable, not a human-attention block")
	}
	if !NeedsHumanAttention(Errorf(CodeToolFailureLoop, "same command failed %d times", 5)) {
		t.Error("a tool failure loop must need human attention")
	}
	if CodeOf(errors.New("plain")) != "" {
		t.Error("a plain error has no code")
	}
}
