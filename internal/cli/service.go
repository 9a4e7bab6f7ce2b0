package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex"
	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/depaudit"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/tools"
	"github.com/symphony-go/symphony/internal/tools/mcpserver"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/workspace"
)

// service is everything `symphony` and `symphony run` assemble from the configuration: the
// live config store, logger, durable state, tracker, workspaces, prompts and agent factory.
type service struct {
	configs *config.Store
	// redactor scrubs operator secrets from logs, records and tracker text handed to agents.
	redactor   *secretscan.Scanner
	logger     *slog.Logger
	store      *store.Store
	audit      *audit.Log
	tracker    tracker.Tracker
	workspaces *liveWorkspaces
	// comments remembers which comments the issues' runs own (the workpad and what agents
	// wrote), shared by the workpad bootstrap and every session's tools.
	comments *tools.StoredOwnership
	// dashboard is where the service's API listener goes (checked when the service opened).
	dashboard dashboardBind
	// dependencies holds GitHub pushes and pull requests that add dependency sources outside
	// dependency_audit's allow-lists until an operator approves them.
	dependencies *depaudit.Gate
	// terminal is the live view drawn on the service's terminal, nil when off.
	terminal *terminalView
	closeLog func() error
}

// openService loads the configuration (refusing features this build cannot run), opens the
// state root and builds every dependency the orchestrator needs.
func openService(ctx context.Context, cmd *cobra.Command, g *Globals) (*service, error) {
	cfg, err := loadConfig(g, cmd.ErrOrStderr())
	if err != nil {
		return nil, err
	}
	if err := refuseUnrunnableRuntime(cfg); err != nil {
		return nil, err
	}
	var dashboard dashboardBind
	if g.serving {
		if dashboard, err = checkDashboardBind(g, cfg); err != nil {
			return nil, err
		}
	}
	printWarnings(cmd.ErrOrStderr(), cfg)
	signingKey, err := audit.SigningKeyFromEnv(os.LookupEnv)
	if err != nil {
		return nil, usageErr(err)
	}
	concerns, err := preflight(ctx, cmd, g, cfg)
	if err != nil {
		return nil, err
	}
	if err := claimStateRoot(g.StateRoot(), cfg.Path); err != nil {
		return nil, err
	}
	secrets := append(cfg.Secrets(), audit.SecretEnvValues(os.Environ())...)
	var terminal *terminalView
	stderr := cmd.ErrOrStderr()
	if g.serving {
		terminal, stderr = newTerminalView(cmd, cfg)
	}
	logger, closeLog, err := g.Logger(stderr, secrets)
	if err != nil {
		return nil, err
	}
	// The first line names the state root, so an operator sees which runs and retries this
	// service will resume.
	logger.Info("symphony starting", "config", cfg.Path, "state_root", g.StateRoot(), "state_root_from", g.StateRootOrigin(),
		"repositories", len(cfg.Repositories), "provider", cfg.Issues.Provider, "runtime", cfg.Agent.Runtime)
	if legacy, ok := legacyStateRoot(); ok && g.stateRootIsDefault() {
		logger.Warn("runs recorded before state roots became per config stay in the shared state root; pass --state-root there to keep using them",
			"shared_state_root", legacy)
	}
	s := &service{logger: logger, closeLog: closeLog, dashboard: dashboard, terminal: terminal}
	logConcerns(logger, concerns)
	ok := false
	defer func() {
		if !ok {
			s.close()
		}
	}()
	s.configs = config.NewStore(cfg, os.LookupEnv, logger)
	redactor := secretscan.New(secrets...)
	s.redactor = redactor
	reapSessionDirs(g.StateRoot(), logger)
	reapMCPSocketDirs("", logger)
	reapSandboxTempDirs(logger)
	if s.store, err = store.Open(ctx, store.Options{StateRoot: g.StateRoot(), Redactor: redactor}); err != nil {
		return nil, failure(fmt.Errorf("open run store: %w", err))
	}
	if s.audit, err = audit.Open(ctx, audit.Options{Dir: audit.Dir(g.StateRoot()), Redactor: redactor, Head: s.store, SigningKey: signingKey,
		AcknowledgeGap: g.acknowledgeAuditGap}); err != nil {
		return nil, failure(fmt.Errorf("open audit log: %w", err))
	}
	if err := reconcileVerification(ctx, cfg, s.store, logger); err != nil {
		return nil, failure(fmt.Errorf("reconcile verification ports: %w", err))
	}
	s.comments = tools.NewStoredOwnership(s.store)
	if s.tracker, err = trackerFromConfig(cfg); err != nil {
		return nil, usageErr(err)
	}
	// Built whether or not dependency_audit is set, so a reload can turn it on.
	s.dependencies = depaudit.NewGate(s.store, s.audit, depaudit.AllowFromConfig(cfg.DependencyAudit))
	s.dependencies.CommentOn(s.tracker)
	if s.workspaces, err = newLiveWorkspaces(cfg, logger); err != nil {
		return nil, usageErr(err)
	}
	ok = true
	return s, nil
}

// refuseUnrunnableRuntime refuses an agent runtime this build cannot run with the
// configuration, rather than failing at the first session.
func refuseUnrunnableRuntime(cfg *config.Config) error {
	if _, err := agent.CheckRuntime(cfg); err != nil {
		return usageErr(fmt.Errorf("refusing to start: %w", err))
	}
	return nil
}

// withService opens the service, runs fn with a context that ends on SIGINT or SIGTERM, and
// closes the service (flushing the audit log and run store) afterwards.
func withService(cmd *cobra.Command, g *Globals, fn func(ctx context.Context, s *service, deps orchestrator.Deps) error) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	s, err := openService(ctx, cmd, g)
	if err != nil {
		return err
	}
	defer s.close()
	deps, err := s.deps(g)
	if err != nil {
		return err
	}
	return fn(ctx, s, deps)
}

// deps assembles the orchestrator's dependencies from the current configuration.
func (s *service) deps(g *Globals) (orchestrator.Deps, error) {
	cfg := s.configs.Current()
	agentKind, err := prompt.AgentFor(cfg.Agent.Runtime)
	if err != nil {
		return orchestrator.Deps{}, usageErr(err)
	}
	issueGate, err := s.issueGate(cfg)
	if err != nil {
		return orchestrator.Deps{}, err
	}
	var hostWorkspaces func(string) (orchestrator.Workspaces, error)
	var probe func(context.Context, string) error
	var leftovers *hostLeftovers
	if len(cfg.Workers.SSHHosts) > 0 {
		// Worker hosts are read at start; a reload that changes them takes effect at restart.
		hostWorkspaces, err = newHostWorkspaces(cfg, filepath.Join(g.StateRoot(), "worker-locks"), s.logger)
		if err != nil {
			return orchestrator.Deps{}, err
		}
		leftovers = newHostLeftovers()
		probe = leftovers.probeAndClean(func(host string) (*agent.Remote, error) { return remoteAgent(cfg, host, leftovers) }, s.logger)
	}
	reviewer := newReviewerFactory(s.configs, s.workspaces, g.StateRoot(), g.LogsRoot(), s.toolHosts(), s.redactor, leftovers, s.logger)
	return orchestrator.Deps{
		HostWorkspaces: hostWorkspaces,
		ProbeHost:      probe,
		Gate:           issueGate,
		Review:         orchestrator.PrePushReviewFromConfig(cfg, reviewer),
		Settings:       orchestrator.FromConfig(cfg),
		Tracker:        s.tracker,
		Workspaces:     s.workspaces,
		NewAgent:       newAgentFactory(s.configs, s.workspaces, g.StateRoot(), g.LogsRoot(), s.toolHosts(), s.redactor, leftovers, s.logger),
		Prompts:        &livePrompts{configs: s.configs, agent: agentKind, store: s.store, logger: s.logger},
		Store:          s.store,
		Audit:          s.audit,
		ThreadsDir:     filepath.Join(g.StateRoot(), "threads"),
		Preflight: func() error {
			s.configs.Revalidate()
			return s.configs.LastError()
		},
		OwnComment: s.comments.Own,
		Verifier:   &liveVerifier{configs: s.configs, store: s.store, logger: s.logger},
		Redact:     s.redactor.Redact,
		RunContext: runContextSource(cfg, s),
		Logger:     s.logger,
	}, nil
}

// reapSessionDirs removes the Codex session directories a previous Symphony left behind when
// it was killed: they hold whole conversations. Those of a live instance sharing the state
// root are kept.
func reapSessionDirs(stateRoot string, logger *slog.Logger) {
	removed, err := codex.ReapSessionDirs(filepath.Join(stateRoot, "sessions"))
	if err != nil {
		logger.Warn("removing abandoned codex session dirs", "error", err)
	}
	if len(removed) > 0 {
		logger.Info("removed abandoned codex session dirs", "count", len(removed))
	}
}

// reapSandboxTempDirs removes the sandbox runtimes' temp dirs of sessions whose Symphony died
// (see agent.NewSandboxTempDir), with the sockets and mount placeholders the runtimes left.
func reapSandboxTempDirs(logger *slog.Logger) {
	removed, err := agent.ReapSandboxTempDirs()
	if err != nil {
		logger.Warn("removing abandoned sandbox temp dirs", "error", err)
	}
	if len(removed) > 0 {
		logger.Info("removed abandoned sandbox temp dirs", "count", len(removed))
	}
}

// reapMCPSocketDirs removes the socket directories of session MCP servers that died with a
// previous Symphony (under root, empty meaning the temp directory), so they do not pile up.
func reapMCPSocketDirs(root string, logger *slog.Logger) {
	removed, err := mcpserver.ReapStale(root)
	if err != nil {
		logger.Warn("removing stale mcp socket dirs", "error", err)
	}
	if len(removed) > 0 {
		logger.Info("removed stale mcp socket dirs", "count", len(removed))
	}
}

func (s *service) close() {
	if s.audit != nil {
		if err := s.audit.Close(); err != nil {
			s.logger.Error("closing audit log", "error", err)
		}
	}
	if s.store != nil {
		if err := s.store.Close(); err != nil {
			s.logger.Error("closing run store", "error", err)
		}
	}
	if s.closeLog != nil {
		s.closeLog()
	}
}

// livePrompts renders prompts from the configuration in force at the time of each turn, so a
// WORKFLOW.md edit applies to the next prompt without a restart.
type livePrompts struct {
	configs *config.Store
	agent   prompt.Agent
	// store holds the learnings a repository may opt in to see.
	store  *store.Store
	logger *slog.Logger
}

func (p *livePrompts) Prompt(in orchestrator.PromptInput) (string, error) {
	cfg := p.configs.Current()
	b := &orchestrator.PromptBuilder{Builder: prompt.NewBuilder(promptOptions(cfg)), Agent: p.agent,
		Templates: orchestrator.TemplatesFromConfig(cfg), PRTemplates: orchestrator.PRTemplatesFromConfig(cfg),
		Learnings: promptLearnings(cfg, p.store, p.logger)}
	return b.Prompt(in)
}

// liveWorkspaces swaps in a workspace manager built from each new configuration, so hook edits
// in WORKFLOW.md apply to the next hook run.
type liveWorkspaces struct {
	current atomic.Pointer[workspace.Manager]
}

func newLiveWorkspaces(cfg *config.Config, logger *slog.Logger) (*liveWorkspaces, error) {
	m, err := workspace.New(workspaceOptions(cfg, logger))
	if err != nil {
		return nil, err
	}
	w := &liveWorkspaces{}
	w.current.Store(m)
	return w, nil
}

// reload replaces the manager; a configuration the workspace layer rejects keeps the old one.
func (w *liveWorkspaces) reload(cfg *config.Config, logger *slog.Logger) {
	m, err := workspace.New(workspaceOptions(cfg, logger))
	if err != nil {
		logger.Error("workspace settings from the reloaded configuration are invalid; keeping the previous ones", "error", err)
		return
	}
	w.current.Store(m)
}

func (w *liveWorkspaces) manager() *workspace.Manager { return w.current.Load() }

func (w *liveWorkspaces) Ensure(ctx context.Context, iss issue.Issue) (workspace.Workspace, error) {
	return w.manager().Ensure(ctx, iss)
}

func (w *liveWorkspaces) EnsurePR(ctx context.Context, iss issue.Issue, head string) (workspace.Workspace, []string, error) {
	return w.manager().EnsurePR(ctx, iss, head)
}

func (w *liveWorkspaces) Validate(ws workspace.Workspace) error { return w.manager().Validate(ws) }

func (w *liveWorkspaces) BeforeRun(ctx context.Context, ws workspace.Workspace, env map[string]string) error {
	return w.manager().BeforeRun(ctx, ws, env)
}

func (w *liveWorkspaces) AfterRun(ctx context.Context, ws workspace.Workspace, env map[string]string) {
	w.manager().AfterRun(ctx, ws, env)
}

func (w *liveWorkspaces) Remove(ctx context.Context, repoKey, issueID, identifier string) error {
	return w.manager().Remove(ctx, repoKey, issueID, identifier)
}

func (w *liveWorkspaces) CheckDisk() workspace.DiskStatus { return w.manager().CheckDisk() }

func (w *liveWorkspaces) Lock(repoKey, identifier string) (*workspace.Lock, error) {
	return w.manager().Lock(repoKey, identifier)
}

// trackerOwners answers the workspace layer's ownership questions from the tracker.
type trackerOwners struct {
	tracker tracker.Tracker
	cfg     *config.Config
}

func (o trackerOwners) TerminalIssues(ctx context.Context) ([]issue.Issue, error) {
	return o.tracker.FetchIssuesByStates(ctx, o.cfg.Issues.States.Terminal)
}

func (o trackerOwners) TrackedIssues(ctx context.Context) ([]issue.Issue, error) {
	states := append(append([]string(nil), o.cfg.Issues.States.Active...), o.cfg.Issues.States.Terminal...)
	return o.tracker.FetchIssuesByStates(ctx, states)
}

// onceTerminal asks its Owners for the terminal issues once and answers every later call
// with that answer.
type onceTerminal struct {
	workspace.Owners
	once     sync.Once
	terminal []issue.Issue
	err      error
}

func (o *onceTerminal) TerminalIssues(ctx context.Context) ([]issue.Issue, error) {
	o.once.Do(func() { o.terminal, o.err = o.Owners.TerminalIssues(ctx) })
	return o.terminal, o.err
}

// storeAndTrackerOwners also counts issues with run records as owners, so a workspace whose
// issue sits in a hand-off state (neither active nor terminal) is never taken for an orphan.
type storeAndTrackerOwners struct {
	trackerOwners
	store *store.Store
}

func (o storeAndTrackerOwners) TrackedIssues(ctx context.Context) ([]issue.Issue, error) {
	issues, err := o.trackerOwners.TrackedIssues(ctx)
	if err != nil {
		return nil, err
	}
	runs, err := o.store.Runs(ctx, store.RunFilter{Limit: 1 << 20})
	if err != nil {
		return nil, err
	}
	for _, r := range runs {
		issues = append(issues, issue.Issue{ID: r.IssueID, Identifier: r.IssueIdentifier, RepoKey: r.RepoKey})
	}
	return issues, nil
}
