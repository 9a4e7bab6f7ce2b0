package cli

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/verification"
	"github.com/symphony-go/symphony/internal/workflow"
)

// releaseTimeout bounds the store write that frees a port when an attempt ends.
const releaseTimeout = 10 * time.Second

// liveVerifier gives attempts ports and dev servers with the configuration in force: the
// range and the switch from symphony.yml, the dev server from each repository's settings
// (WORKFLOW.md may override verification.dev_server key by key).
type liveVerifier struct {
	configs *config.Store
	store   *store.Store
	logger  *slog.Logger
	// mu serializes allocation across attempts, whatever range is in force.
	mu sync.Mutex
}

// reconcileVerification runs once at start-up: ports whose dev server outlived the previous
// process stay held, the others are released.
func reconcileVerification(ctx context.Context, cfg *config.Config, st *store.Store, logger *slog.Logger) error {
	r := cfg.Verification.PortAllocation.Range
	pool, err := verification.NewPool(st, r[0], r[1])
	if err != nil {
		return err
	}
	kept, err := pool.Reconcile(ctx)
	for _, k := range kept {
		logger.Warn("verification port still held by a dev server of a previous run", "port", k.Port, "pid", k.ServerPID,
			"issue_identifier", k.IssueIdentifier, "repo_key", k.RepoKey, "run_id", k.RunID)
	}
	return err
}

func (v *liveVerifier) Acquire(ctx context.Context, runID string, is issue.Issue) (orchestrator.Verification, error) {
	cfg := v.configs.Current()
	if !cfg.Verification.Enabled {
		return noVerification{}, nil
	}
	r := cfg.Verification.PortAllocation.Range
	v.mu.Lock()
	defer v.mu.Unlock()
	pool, err := verification.NewPool(v.store, r[0], r[1])
	if err != nil {
		return nil, err
	}
	port, err := pool.Allocate(ctx, store.PortAllocation{RunID: runID, RepoKey: is.RepoKey, IssueID: is.ID, IssueIdentifier: is.Identifier})
	if err != nil {
		return nil, err
	}
	dev := cfg.Verification.DevServer
	for _, repo := range cfg.Repositories {
		if repo.Key == is.RepoKey {
			dev = repo.Settings.Verification.DevServer
		}
	}
	return &runVerification{pool: pool, runID: runID, port: port, dev: dev, logger: v.logger.With("issue_id", is.ID,
		"issue_identifier", is.Identifier, "repo_key", is.RepoKey, "run_id", runID)}, nil
}

// runVerification is one attempt's port and dev server.
type runVerification struct {
	pool   *verification.Pool
	runID  string
	port   int
	dev    workflow.DevServer
	logger *slog.Logger
	server *verification.Server
}

func (r *runVerification) Env() map[string]string {
	return map[string]string{verification.PortEnv: strconv.Itoa(r.port)}
}

func (r *runVerification) StartServer(ctx context.Context, workspace string) error {
	if r.dev.StartCmd == "" {
		return nil
	}
	srv, err := verification.Start(ctx, verification.Spec{Command: r.dev.StartCmd, Dir: workspace, Port: r.port, Env: os.Environ(),
		HealthURL: r.dev.HealthCheckURL, HealthTimeout: time.Duration(r.dev.HealthTimeoutMs) * time.Millisecond,
		StopSignal: r.dev.StopSignal, StopTimeout: time.Duration(r.dev.StopTimeoutMs) * time.Millisecond})
	if err != nil {
		return err
	}
	r.server = srv
	if err := r.pool.SetServer(ctx, r.runID, srv.PID()); err != nil {
		r.logger.Warn("the dev server's pid was not recorded; a restart will release its port", "error", err)
	}
	r.logger.Info("dev server healthy", "port", r.port, "pid", srv.PID())
	return nil
}

func (r *runVerification) Close() {
	if r.server != nil {
		r.server.Stop()
	}
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	if err := r.pool.Release(ctx, r.runID); err != nil {
		r.logger.Warn("releasing the verification port failed", "port", r.port, "error", err)
	}
}

// noVerification is an attempt's verification while verification is off.
type noVerification struct{}

func (noVerification) Env() map[string]string                    { return nil }
func (noVerification) StartServer(context.Context, string) error { return nil }
func (noVerification) Close()                                    {}
