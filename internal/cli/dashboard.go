package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/server"
)

// allowedOriginsEnv names more hosts browsers may send control requests from.
const allowedOriginsEnv = "SYMPHONY_DASHBOARD_ALLOWED_ORIGINS"

// apiListeners are the listeners the service answers the API on: the control socket always,
// and the TCP listener when the dashboard is on.
type apiListeners struct {
	srv    *server.Server
	socket net.Listener
	tcp    net.Listener
	url    string
}

// openAPI binds the API's listeners before anything is dispatched, so a port in use stops
// the service at once (exit 1). The host was checked by checkDashboardBind when the service
// opened.
func openAPI(g *Globals, s *service, o *orchestrator.Orchestrator, metrics http.Handler) (*apiListeners, error) {
	cfg := s.configs.Current()
	root := g.StateRoot()
	token, err := server.EnsureToken(root)
	if err != nil {
		return nil, failure(err)
	}
	bind := s.dashboard
	srv, err := server.New(server.Options{
		Orchestrator: o, Runs: s.store, AuditDir: audit.Dir(root), Token: token, Host: bind.host,
		AllowedOrigins:  server.ParseAllowedOrigins(os.Getenv(allowedOriginsEnv)),
		PublishInterval: time.Duration(cfg.Dashboard.SnapshotPublishMs) * time.Millisecond,
		PageRefresh:     time.Duration(cfg.Dashboard.RefreshMs) * time.Millisecond,
		Metrics:         metrics,
		Learnings:       s.store,
		PullRequests:    pullRequestRows(cfg, s),
		Logger:          s.logger,
		ResolvePR: func(ctx context.Context, req server.DispatchPRRequest) (string, prompt.PullRequest, error) {
			return resolvePR(ctx, s.configs.Current(), req.Target(), req.Repo, req.Intent)
		},
	})
	if err != nil {
		return nil, failure(err)
	}
	l := &apiListeners{srv: srv}
	if !bind.enabled {
		s.logger.Info("dashboard disabled (dashboard.enabled: false); the control socket still answers the CLI")
	} else {
		if l.tcp, l.url, err = server.ListenTCP(bind.host, bind.port); err != nil {
			return nil, failure(err)
		}
		if err := server.WriteControlURL(root, l.url); err != nil {
			l.tcp.Close()
			return nil, failure(err)
		}
		s.logger.Info("dashboard and JSON API listening", "url", l.url)
	}
	// The socket is how the CLI reaches the service; a socket that cannot be made (a state
	// root path too long for one) leaves the TCP listener as the only way in, so it is logged
	// rather than fatal.
	if l.socket, err = server.ListenSocket(root); err != nil {
		s.logger.Error("control socket unavailable; the CLI can reach the service only through the dashboard listener", "error", err.Error())
	}
	return l, nil
}

// pullRequestRows is the store the state reads the pull-request pollers' rows from, or nil
// while the pollers are off.
func pullRequestRows(cfg *config.Config, s *service) server.PRWatchStore {
	if !cfg.PullRequests.Enabled {
		return nil
	}
	return s.store
}

// serve answers on every listener until ctx ends, then removes the control URL file.
func (l *apiListeners) serve(ctx context.Context, g *Globals, s *service) {
	var wg sync.WaitGroup
	if l.socket != nil {
		wg.Go(func() {
			if err := server.Serve(ctx, l.socket, l.srv.SocketHandler()); err != nil {
				s.logger.Error("control socket stopped", "error", err.Error())
			}
		})
	}
	if l.tcp != nil {
		wg.Go(func() {
			if err := server.Serve(ctx, l.tcp, l.srv.Handler()); err != nil {
				s.logger.Error("dashboard listener stopped", "error", err.Error())
			}
		})
	}
	wg.Wait()
	if l.url != "" {
		server.RemoveControlURL(g.StateRoot(), l.url)
	}
}

// dashboardBind is where the dashboard listener goes: --host over dashboard.host, --port
// over dashboard.port over a free port; --port turns it on even when dashboard.enabled is
// false.
type dashboardBind struct {
	enabled bool
	host    string
	port    int
}

// checkDashboardBind decides the listener from flags and config, and refuses a non-loopback
// host without SYMPHONY_ALLOW_REMOTE_BIND=1 as a configuration error (exit 2), before the
// preflight checks and before anything runs.
func checkDashboardBind(g *Globals, cfg *config.Config) (dashboardBind, error) {
	b := dashboardBind{enabled: cfg.Dashboard.Enabled || g.portSet, host: cfg.Dashboard.Host}
	if g.host != "" {
		b.host = g.host
	}
	switch {
	case g.portSet:
		b.port = g.port
	case cfg.Dashboard.Port != nil:
		b.port = *cfg.Dashboard.Port
	}
	if !b.enabled {
		return b, nil
	}
	if b.port < 0 || b.port > 65535 {
		return b, usageErr(fmt.Errorf("--port must be a port between 0 and 65535, got %d", b.port))
	}
	if err := server.CheckBind(b.host, os.Getenv(server.AllowRemoteBindEnv) == "1"); err != nil {
		if errors.Is(err, server.ErrRemoteBind) {
			return b, usageErr(err)
		}
		return b, failure(err)
	}
	return b, nil
}

// startHint tells an operator how to start the service a control command could not reach.
func startHint(g *Globals) string {
	return fmt.Sprintf("start it with `symphony --config %s`", g.ConfigPath)
}
