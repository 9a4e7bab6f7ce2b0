package doctor

import (
	"context"
	"os"

	"github.com/symphony-go/symphony/internal/agent/codex"
)

// Options describe the installation to check; the CLI maps the configuration onto them.
type Options struct {
	// AgentCommand is agent.command; its first word names the agent executable.
	AgentCommand string
	// Runtime is agent.runtime; it decides which credentials the agent needs.
	Runtime string
	// Bwrap asks for the bubblewrap check (Codex's managed profile or srt on Linux);
	// BwrapRequired makes a missing bwrap a failure rather than a warning (srt has no
	// bundled copy to fall back on).
	Bwrap, BwrapRequired bool
	// SRTCommand is agent.permissions.outer_sandbox.command when srt wraps the agent.
	SRTCommand string
	Tracker    Tracker
	// WorkspaceRoot, StateRoot and LogsRoot must be writable (or creatable).
	WorkspaceRoot, StateRoot, LogsRoot string
	// MinFreeBytes is workspaces.cleanup.min_free_bytes; 0 when the disk guard is off.
	MinFreeBytes uint64
	// WorkerHosts are workers.ssh_hosts, where the agent runs; HostRun reaches them.
	WorkerHosts []string
	HostRun     HostRun
}

// Checks lists every check that applies to o, in the order they are printed. With worker
// hosts the agent, its sandbox and the workspaces live on the hosts, never on this machine,
// so the agent is looked for on each host, only the environment's key counts as credentials,
// and the local agent, bwrap, workspace-root and disk checks do not apply.
func Checks(o Options) []Check {
	local := len(o.WorkerHosts) == 0
	var checks []Check
	if local {
		checks = append(checks, Check{"agent", func(ctx context.Context) Result { return checkAgent(ctx, o.AgentCommand) }})
	}
	checks = append(checks,
		Check{"agent-credentials", func(context.Context) Result {
			if !local {
				return checkHostCredentials(o.Runtime, o.AgentCommand, os.LookupEnv)
			}
			if o.Runtime == "claude" {
				return checkClaudeCredentials(claudeCredentialsFile(), os.LookupEnv)
			}
			return checkCredentials(o.AgentCommand, codex.DefaultAuthFile(), os.LookupEnv)
		}},
		Check{"git", checkGit},
	)
	for _, host := range o.WorkerHosts {
		checks = append(checks, Check{"agent@" + host, func(ctx context.Context) Result { return checkHostAgent(ctx, o.HostRun, host, o.AgentCommand) }})
	}
	if o.Bwrap && local {
		checks = append(checks, Check{"bwrap", func(ctx context.Context) Result { return checkBwrap(ctx, o.BwrapRequired) }})
	}
	if o.SRTCommand != "" {
		checks = append(checks, Check{"srt", func(ctx context.Context) Result { return checkSRT(ctx, o.SRTCommand) }})
	}
	checks = append(checks, Check{"tracker", o.Tracker.check})
	if local {
		checks = append(checks, Check{"workspace-root", func(context.Context) Result {
			return checkWritable(o.WorkspaceRoot, "make it writable for this user or set workspaces.root to a writable directory")
		}})
	}
	checks = append(checks,
		Check{"state-root", func(context.Context) Result {
			return checkWritable(o.StateRoot, "make it writable for this user or set --state-root (or SYMPHONY_STATE_ROOT) to a writable directory")
		}},
		Check{"logs-root", func(context.Context) Result {
			return checkWritable(o.LogsRoot, "make it writable for this user or set --logs-root (or SYMPHONY_LOGS_ROOT) to a writable directory")
		}},
	)
	if local {
		checks = append(checks, Check{"disk", func(context.Context) Result { return checkDisk(o.WorkspaceRoot, o.MinFreeBytes, statfsFreeBytes) }})
	}
	return checks
}
