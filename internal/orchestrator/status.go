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

// statusNames bounds how many running issues the status line names.
const statusNames = 8

// StatusLine is a compact one-line summary for terminals and logs, naming the running issues,
// for example "running 3/4: ENG-1 ENG-7 ENG-9 · queued 2 · retrying 1 · watching 0 · tokens 0
// (today 0)".
func (s *Snapshot) StatusLine() string {
	running := fmt.Sprintf("running %d/%d", len(s.Running), s.MaxAgents)
	if len(s.Running) > 0 {
		names := make([]string, 0, statusNames+1)
		for i, r := range s.Running {
			if i == statusNames {
				names = append(names, fmt.Sprintf("+%d more", len(s.Running)-statusNames))
				break
			}
			names = append(names, r.Identifier)
		}
		running += ": " + strings.Join(names, " ")
	}
	retrying, continuing := 0, 0
	for _, r := range s.Retrying {
		if r.Continuation {
			continuing++
		} else {
			retrying++
		}
	}
	parts := []string{running}
	if len(s.Queued) > 0 {
		parts = append(parts, fmt.Sprintf("queued %d", len(s.Queued)))
	}
	if continuing > 0 {
		parts = append(parts, fmt.Sprintf("continuing %d", continuing))
	}
	parts = append(parts, fmt.Sprintf("retrying %d", retrying), fmt.Sprintf("watching %d", len(s.Watching)))
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
		parts = append(parts, "last poll failed: "+brief(s.LastPollError))
	}
	return strings.Join(parts, " · ")
}
