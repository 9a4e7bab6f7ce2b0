package workspace

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"time"
)

// Hook names, as they appear in symphony.yml and in SYMPHONY_HOOK.
const (
	HookAfterCreate  = "after_create"
	HookBeforeRun    = "before_run"
	HookAfterRun     = "after_run"
	HookBeforeRemove = "before_remove"
)

// shellPath prefers bash and falls back to sh, both run as login shells (SPEC §9.4).
func shellPath() (string, error) {
	if p, err := exec.LookPath("bash"); err == nil {
		return p, nil
	}
	return exec.LookPath("sh")
}

// runHook runs one hook script in ws.Path. An empty script is a no-op. The returned error has
// code CodeHookTimeout or CodeHookFailed; callers decide whether it is fatal.
func (m *Manager) runHook(ctx context.Context, name, script string, repo *repoConfig, ws Workspace, extra map[string]string) error {
	if script == "" {
		return nil
	}
	if err := m.contain(ws.Path); err != nil {
		return err
	}
	shell, err := shellPath()
	if err != nil {
		return newError(CodeHookFailed, err, fmt.Sprintf("%s hook in %s: no bash or sh on PATH", name, ws.Path))
	}
	log := m.log.With("hook", name, "repo_key", ws.RepoKey, "issue_id", ws.IssueID,
		"issue_identifier", ws.Identifier, "workspace", ws.Path)

	timeout := repo.Hooks.Timeout
	hookCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := groupCommand(hookCtx, shell, "-lc", script)
	cmd.Dir = ws.Path
	cmd.Env = hookEnv(os.Environ(), HookVars(name, ws, extra))
	out := newCappedBuffer(m.outputLimit)
	cmd.Stdout, cmd.Stderr = out, out

	log.Info("hook started", "timeout_ms", timeout.Milliseconds())
	start := time.Now()
	timedOut, runErr := runWithTimeout(hookCtx, cmd)
	attrs := []any{"duration_ms", elapsedMs(start), "output", out.String(),
		"output_bytes", out.Total(), "output_truncated", out.Truncated()}
	switch {
	case timedOut:
		log.Warn("hook timed out", append(attrs, "outcome", "timeout")...)
		return newError(CodeHookTimeout, runErr, fmt.Sprintf("%s hook in %s exceeded %s", name, ws.Path, timeout))
	case runErr != nil:
		log.Warn("hook failed", append(attrs, "outcome", "failed", "error", runErr.Error())...)
		return newError(CodeHookFailed, runErr, fmt.Sprintf("%s hook in %s failed", name, ws.Path))
	}
	log.Info("hook completed", append(attrs, "outcome", "completed")...)
	return nil
}

// HookVars are the variables a hook gets (see the package comment), in a stable order: Symphony's
// own, then extra sorted by name. Remote hooks on SSH worker hosts get the same.
func HookVars(name string, ws Workspace, extra map[string]string) [][2]string {
	vars := [][2]string{
		{"SYMPHONY_HOOK", name},
		{"SYMPHONY_ISSUE_ID", ws.IssueID},
		{"SYMPHONY_ISSUE_IDENTIFIER", ws.Identifier},
		{"SYMPHONY_REPO_KEY", ws.RepoKey},
		{"SYMPHONY_WORKSPACE", ws.Path},
		{"SYMPHONY_WORKSPACE_KEY", ws.Key},
		{"SYMPHONY_WORKSPACE_STRATEGY", string(ws.Strategy)},
		{"SYMPHONY_BRANCH", ws.Branch},
	}
	names := make([]string, 0, len(extra))
	for k := range extra {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		vars = append(vars, [2]string{k, extra[k]})
	}
	return vars
}
