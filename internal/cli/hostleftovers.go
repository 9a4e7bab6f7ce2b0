package cli

import (
	"context"
	"log/slog"
	"sync"

	"github.com/symphony-go/symphony/internal/agent"
)

// hostLeftovers remembers, per worker host, the session directories whose removal failed
// because the host could not be reached. Their agents may still run there (a host cut off
// by the network keeps its processes) while the issue runs again elsewhere, so once a probe
// reaches the host again each is removed and its process group killed.
type hostLeftovers struct {
	mu   sync.Mutex
	dirs map[string][]string
}

func newHostLeftovers() *hostLeftovers { return &hostLeftovers{dirs: map[string][]string{}} }

// add records dir, a session directory on host that could not be removed.
func (l *hostLeftovers) add(host, dir string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dirs[host] = append(l.dirs[host], dir)
}

// removeOn removes host's recorded directories through r, keeping those whose removal fails
// because the host is unreachable again for the next probe.
func (l *hostLeftovers) removeOn(host string, r *agent.Remote, log *slog.Logger) {
	l.mu.Lock()
	dirs := l.dirs[host]
	delete(l.dirs, host)
	l.mu.Unlock()
	removed := 0
	for _, dir := range dirs {
		// r.Unremoved puts a directory that fails again back on the list.
		if err := r.RemoveSession(dir); err != nil {
			log.Warn("removing a session left on a worker host failed; tried again after the next probe", "host", host, "path", dir, "error", err.Error())
			continue
		}
		removed++
	}
	if removed > 0 {
		log.Info("removed sessions left on a worker host while it was unreachable", "host", host, "sessions", removed)
	}
}

// probeAndClean is Deps.ProbeHost: probeHost, then, when the host answers, the removal of
// the sessions left there while it could not be reached.
func (l *hostLeftovers) probeAndClean(remote func(host string) (*agent.Remote, error), log *slog.Logger) func(context.Context, string) error {
	return func(ctx context.Context, host string) error {
		if err := probeHost(ctx, host); err != nil {
			return err
		}
		r, err := remote(host)
		if err != nil {
			log.Warn("sessions left on a worker host are kept", "host", host, "error", err.Error())
			return nil
		}
		l.removeOn(host, r, log)
		return nil
	}
}
