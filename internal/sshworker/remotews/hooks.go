package remotews

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/workspace"
)

// exitNoWorkspace is hookScript's status for a workspace that is not there.
const exitNoWorkspace = 121

// errNoWorkspace is a hook that did not run because its workspace is gone.
var errNoWorkspace = errors.New("the workspace is not there")

// killTimeout bounds the connection that ends a hook's leftover processes.
const killTimeout = 30 * time.Second

// envName is what a variable name may look like on a remote `env` command line.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// runHook runs one hook script on the host in ws.Path, with the variables local hooks get
// (workspace.HookVars; extra variables pass the same credential filter) and the repository's
// hook timeout. The hook's process group on the host is recorded and killed when the hook
// ends, by its own exit or by the timeout, so nothing it started outlives it: the local
// ssh's death alone would not stop it. An empty script is a no-op.
func (m *Manager) runHook(ctx context.Context, name, script string, r *repo, ws workspace.Workspace, extra map[string]string) error {
	if script == "" {
		return nil
	}
	words := []string{"sh", "-c", hookScript, "symphony-hook", ws.Path, script}
	for _, kv := range workspace.HookVars(name, ws, extra) {
		if !envName.MatchString(kv[0]) {
			return &workspace.Error{Code: workspace.CodeHookFailed, Msg: fmt.Sprintf("%s hook in %s on %s: variable name %q cannot be passed to a remote shell", name, ws.Path, m.host, kv[0])}
		}
		if !strings.HasPrefix(kv[0], "SYMPHONY_") && secretscan.IsCredentialName(kv[0]) {
			continue
		}
		words = append(words, kv[0]+"="+kv[1])
	}
	pgidFile := path.Join(m.root, ".symphony-hook-"+randomHex()+".pgid")
	remote, err := sshworker.RemoteGroupCommand(pgidFile, words)
	if err != nil {
		return &workspace.Error{Code: workspace.CodeHookFailed, Msg: fmt.Sprintf("%s hook in %s on %s", name, ws.Path, m.host), Err: err}
	}
	log := m.log.With("hook", name, "repo_key", ws.RepoKey, "issue_id", ws.IssueID,
		"issue_identifier", ws.Identifier, "workspace", ws.Path)
	timeout := r.Hooks.Timeout
	hookCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	log.Info("hook started", "timeout_ms", timeout.Milliseconds())
	start := time.Now()
	out, runErr := m.transport.Run(hookCtx, m.host, remote, nil)
	m.killHookGroup(pgidFile)
	attrs := []any{"duration_ms", time.Since(start).Milliseconds(), "output", truncate(string(out), m.outputLimit)}
	var ce *sshworker.CommandError
	switch {
	case runErr == nil:
		log.Info("hook completed", append(attrs, "outcome", "completed")...)
		return nil
	case errors.As(runErr, &ce) && ce.TimedOut && errors.Is(hookCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil:
		log.Warn("hook timed out", append(attrs, "outcome", "timeout")...)
		return &workspace.Error{Code: workspace.CodeHookTimeout, Msg: fmt.Sprintf("%s hook in %s on %s exceeded %s", name, ws.Path, m.host, timeout)}
	case errors.As(runErr, &ce) && ce.ExitCode == exitNoWorkspace:
		return errNoWorkspace
	}
	log.Warn("hook failed", append(attrs, "outcome", "failed", "error", runErr.Error())...)
	return &workspace.Error{Code: workspace.CodeHookFailed, Msg: fmt.Sprintf("%s hook in %s on %s failed", name, ws.Path, m.host), Err: runErr}
}

// killHookGroup ends whatever a hook left running on the host and removes its record. A
// failure is logged: the host may be gone, taking the processes with it.
func (m *Manager) killHookGroup(pgidFile string) {
	remote, err := sshworker.RemoteKillCommand(pgidFile)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), killTimeout)
		defer cancel()
		_, err = m.transport.Run(ctx, m.host, remote, nil)
	}
	if err != nil {
		m.log.Warn("ending a hook's leftover processes on the host failed", "pgid_file", pgidFile, "error", err.Error())
	}
}

func randomHex() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
