package orchestrator

import (
	"context"

	"github.com/symphony-go/symphony/internal/issue"
)

// Verifier gives attempts their verification port and dev server (SPEC §16.4–16.6). The
// worker calls it from its own goroutine, never the loop.
type Verifier interface {
	// Acquire holds a port for the attempt. An error (no free port: the issue waits and
	// retries) ends the attempt before its workspace hooks run.
	Acquire(ctx context.Context, runID string, is issue.Issue) (Verification, error)
}

// Verification is one attempt's port and dev server.
type Verification interface {
	// Env is what the hooks and the agent get: SYMPHONY_VERIFICATION_PORT.
	Env() map[string]string
	// StartServer starts the repository's dev server in the workspace, after before_run,
	// and returns once it is healthy; a server that never is fails with verification_failed.
	// It does nothing when the repository configures no start_cmd.
	StartServer(ctx context.Context, workspace string) error
	// Close stops the dev server (stop signal, then SIGKILL) and releases the port. The
	// worker calls it on every exit path.
	Close()
}

// envList turns an environment map into KEY=value pairs.
func envList(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}
