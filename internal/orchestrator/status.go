package orchestrator

import (
	"fmt"
	"path/filepath"
	"strings"
)

// IsRunning reports whether a workspace belongs to an attempt in progress, so workspace
// cleanup (workspace.Running) never removes one under a live agent. It reads the snapshot and
// never blocks the loop.
func (o *Orchestrator) IsRunning(workspacePath string) bool {
	want := filepath.Clean(workspacePath)
	for _, r := range o.Snapshot().Running {
		if r.Workspace != "" && filepath.Clean(r.Workspace) == want {
			return true
		}
	}
	return false
}

// StatusLine is a compact one-line summary for terminals and logs.
func (s *Snapshot) StatusLine() string {
	parts := []string{
		fmt.Sprintf("running %d", len(s.Running)),
		fmt.Sprintf("retrying %d", len(s.Retrying)),
		fmt.Sprintf("watching %d", len(s.Watching)),
	}
	if len(s.Held) > 0 {
		parts = append(parts, fmt.Sprintf("held %d", len(s.Held)))
	}
	if len(s.Conflicts) > 0 {
		parts = append(parts, fmt.Sprintf("conflicts %d", len(s.Conflicts)))
	}
	parts = append(parts, fmt.Sprintf("tokens %d (today %d)", s.Tokens.Total, s.DailyTokens))
	if len(s.DispatchBlocked) > 0 {
		parts = append(parts, "dispatch held: "+strings.Join(s.DispatchBlocked, "; "))
	}
	if s.LastPollError != "" {
		parts = append(parts, "last poll failed: "+s.LastPollError)
	}
	return strings.Join(parts, " · ")
}
