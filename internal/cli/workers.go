package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/sshworker/remotews"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/workspace"
)

// remoteAgent is how a session reaches worker host host (a workers.ssh_hosts entry): ssh with
// SYMPHONY_SSH_CONFIG as -F, and the session's private directory under the host's
// workspaces.root. A session directory the host's failure kept from being removed is handed
// to leftovers, when not nil.
func remoteAgent(cfg *config.Config, host string, leftovers *hostLeftovers) (*agent.Remote, error) {
	tr, h, err := hostTransport(host)
	if err != nil {
		return nil, err
	}
	r := agent.SSHRemote(host, tr, h, remotews.SessionsRoot(cfg.Workspaces.Root), remotews.BinDir(cfg.Workspaces.Root))
	if leftovers != nil {
		r.Unremoved = func(dir string) { leftovers.add(host, dir) }
	}
	return r, nil
}

// newHostWorkspaces gives the orchestrator (Deps.HostWorkspaces) the workspaces of each
// configured worker host, built once per host from cfg; workspace locks live under lockRoot
// on this machine.
func newHostWorkspaces(cfg *config.Config, lockRoot string, log *slog.Logger) (func(host string) (orchestrator.Workspaces, error), error) {
	tr, err := sshworker.TransportFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	hosts, errs := sshworker.ParseHosts(cfg.Workers.SSHHosts)
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: workers.ssh_hosts[%d]: %w", cfg.Path, errs[0].Index, errs[0].Err)
	}
	managers := map[string]*remotews.Manager{}
	for _, h := range hosts {
		m, err := remotews.New(remotews.Options{Host: h, Transport: tr, Workspaces: workspaceOptions(cfg, log), LockRoot: lockRoot})
		if err != nil {
			return nil, err
		}
		managers[h.String()] = m
	}
	return func(host string) (orchestrator.Workspaces, error) {
		m, ok := managers[host]
		if !ok {
			return nil, fmt.Errorf("worker host %q is not in workers.ssh_hosts", host)
		}
		return m, nil
	}, nil
}

// probeHost is Deps.ProbeHost: `ssh host true` through SYMPHONY_SSH_CONFIG.
func probeHost(ctx context.Context, host string) error {
	tr, err := sshworker.TransportFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	return tr.ProbeHost(ctx, host)
}

// runOnHost is doctor.Options.HostRun: a short command on host through SYMPHONY_SSH_CONFIG.
func runOnHost(ctx context.Context, host string, remote []string) ([]byte, error) {
	tr, h, err := hostTransport(host)
	if err != nil {
		return nil, err
	}
	return tr.Run(ctx, h, remote, nil)
}

// hostTransport is how host (a workers.ssh_hosts entry) is reached: ssh with
// SYMPHONY_SSH_CONFIG as -F.
func hostTransport(host string) (sshworker.Transport, sshworker.Host, error) {
	h, err := sshworker.ParseHost(host)
	if err != nil {
		return sshworker.Transport{}, sshworker.Host{}, err
	}
	tr, err := sshworker.TransportFromEnv(os.Getenv)
	return tr, h, err
}

// hostCleanupTimeout bounds the removal of one workspace on a worker host at start.
const hostCleanupTimeout = time.Minute

// cleanupHostWorkspaces removes, at start, the workspaces on worker hosts of issues now in a
// terminal tracker state, each on the host its newest run recorded, as the local startup
// cleanup does for this machine's. Remove keeps its rules (the lock, containment, a clone
// with commits no remote has), so nothing an agent holds or made is lost; a host that cannot
// be reached keeps its workspaces until the next start. It returns how many it removed.
func cleanupHostWorkspaces(ctx context.Context, owners workspace.Owners, st *store.Store, hostWorkspaces func(string) (orchestrator.Workspaces, error), log *slog.Logger) int {
	terminal, err := owners.TerminalIssues(ctx)
	if err != nil {
		log.Warn("worker host workspace cleanup skipped: the terminal issues cannot be read, nothing deleted", "error", err.Error())
		return 0
	}
	runs, err := st.Runs(ctx, store.RunFilter{Limit: 1 << 20})
	if err != nil {
		log.Warn("worker host workspace cleanup skipped: the run store cannot be read, nothing deleted", "error", err.Error())
		return 0
	}
	// Runs come newest first, so the first seen is the host of the issue's newest run.
	hostOf := map[string]string{}
	for _, r := range runs {
		if _, seen := hostOf[r.IssueID]; !seen {
			hostOf[r.IssueID] = r.WorkerHost
		}
	}
	removed := 0
	for _, is := range terminal {
		host := hostOf[is.ID]
		if host == "" {
			continue
		}
		spaces, err := hostWorkspaces(host)
		if err == nil {
			rctx, cancel := context.WithTimeout(ctx, hostCleanupTimeout)
			err = spaces.Remove(rctx, is.RepoKey, is.ID, is.Identifier)
			cancel()
		}
		if err != nil {
			log.Warn("removing a terminal issue's workspace on its worker host failed; kept for the next start", "issue_identifier", is.Identifier,
				"host", host, "error", err.Error())
			continue
		}
		removed++
	}
	return removed
}

// hostReapTimeout bounds the start-up reap of one worker host's left sessions.
const hostReapTimeout = time.Minute

// reapHostSessions runs at start, before any session is launched: on every worker host it
// kills the agents of, and removes, the session directories a service that died left under
// the host's sessions root, all hosts at once. A host that cannot be reached is logged and
// skipped; its left sessions are reaped at a later start. It returns how many it removed.
func reapHostSessions(ctx context.Context, cfg *config.Config, log *slog.Logger) int {
	tr, err := sshworker.TransportFromEnv(os.Getenv)
	if err != nil {
		log.Warn("worker host session reap skipped", "error", err.Error())
		return 0
	}
	hosts, _ := sshworker.ParseHosts(cfg.Workers.SSHHosts)
	sessionsRoot := remotews.SessionsRoot(cfg.Workspaces.Root)
	reap, err := sshworker.ReapSessionsCommand(sessionsRoot)
	if err != nil {
		log.Warn("worker host session reap skipped", "error", err.Error())
		return 0
	}
	counts := make([]int, len(hosts))
	var wg sync.WaitGroup
	for i, h := range hosts {
		wg.Go(func() {
			rctx, cancel := context.WithTimeout(ctx, hostReapTimeout)
			defer cancel()
			out, err := tr.Run(rctx, h, reap, nil)
			var kept int
			if err == nil {
				counts[i], kept, err = sshworker.ParseReapOutput(out)
			}
			if err != nil {
				log.Warn("reaping sessions left on a worker host failed; tried again at the next start", "host", h.String(), "error", err.Error())
				return
			}
			if counts[i] > 0 {
				log.Info("reaped sessions a stopped service left on a worker host", "host", h.String(), "sessions", counts[i])
			}
			if kept > 0 {
				log.Warn("kept session directories on a worker host whose sandbox temp record names a directory that is not theirs "+
					"(check what they name and remove them by hand), or whose agent's process group outlived the kill (reaped again at the next start)",
					"host", h.String(), "sessions_root", sessionsRoot, "kept", kept)
			}
		})
	}
	wg.Wait()
	total := 0
	for _, n := range counts {
		total += n
	}
	return total
}
