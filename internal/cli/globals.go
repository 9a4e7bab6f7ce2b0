package cli

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/logging"
)

// Globals holds the flags every command shares.
type Globals struct {
	ConfigPath string
	stateRoot  string
	logsRoot   string
	logFormat  string
	logLevel   string
	// acknowledgeAuditGap lets a service command resume an audit log whose newest
	// checkpointed records are missing, recording the gap in the chain.
	acknowledgeAuditGap bool
	// host and port override dashboard.host and dashboard.port for the service; port also
	// turns the dashboard listener on when dashboard.enabled is false. portSet says --port
	// was given (0 asks for a free port).
	host    string
	port    int
	portSet bool
	// serving says the command is the long-running service, which opens the API listeners.
	serving bool
}

func (g *Globals) bind(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringVar(&g.ConfigPath, "config", "symphony.yml", "path to the operator config file")
	f.StringVar(&g.stateRoot, "state-root", "", "directory for the run store and audit log (env SYMPHONY_STATE_ROOT; default: one per config under $XDG_STATE_HOME/symphony or ~/.local/state/symphony)")
	f.StringVar(&g.logsRoot, "logs-root", "", "directory for log files (env SYMPHONY_LOGS_ROOT; default <state-root>/logs)")
	f.StringVar(&g.logFormat, "log-format", "text", "log format: text (key=value) or json")
	f.StringVar(&g.logLevel, "log-level", "info", "log level: debug, info, warn or error")
}

// bindServiceFlags adds the flags of the commands that open the service's audit log.
func (g *Globals) bindServiceFlags(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&g.acknowledgeAuditGap, "acknowledge-audit-gap", false,
		"resume an audit log whose newest records are missing (after `symphony audit verify`); the gap is recorded in the chain")
}

// bindServe adds the flags only the service itself takes.
func (g *Globals) bindServe(root *cobra.Command) {
	f := root.Flags()
	f.StringVar(&g.host, "host", "", "address the dashboard and JSON API listen on (default dashboard.host, 127.0.0.1; non-loopback needs SYMPHONY_ALLOW_REMOTE_BIND=1)")
	f.IntVar(&g.port, "port", 0, "port of the dashboard and JSON API, 0 for a free one (default dashboard.port); turns the listener on even when dashboard.enabled is false")
}

// StateRoot returns the state directory: --state-root, else $SYMPHONY_STATE_ROOT, else the
// config file's own directory under the state home (see defaultStateRoot).
func (g *Globals) StateRoot() string {
	root, _ := g.stateRootAndOrigin()
	return root
}

// StateRootOrigin says where StateRoot came from, for the start-up log and diagnostics.
func (g *Globals) StateRootOrigin() string {
	_, origin := g.stateRootAndOrigin()
	return origin
}

// stateRootIsDefault reports that neither --state-root nor SYMPHONY_STATE_ROOT chose the state root.
func (g *Globals) stateRootIsDefault() bool {
	return g.stateRoot == "" && os.Getenv("SYMPHONY_STATE_ROOT") == ""
}

func (g *Globals) stateRootAndOrigin() (root, origin string) {
	if g.stateRoot != "" {
		return absPath(g.stateRoot), "--state-root"
	}
	if v := os.Getenv("SYMPHONY_STATE_ROOT"); v != "" {
		return absPath(v), "SYMPHONY_STATE_ROOT"
	}
	return defaultStateRoot(g.ConfigPath), "default for " + absPath(g.ConfigPath)
}

// LogsRoot returns the log directory: --logs-root, else $SYMPHONY_LOGS_ROOT, else
// <state-root>/logs.
func (g *Globals) LogsRoot() string {
	if g.logsRoot != "" {
		return absPath(g.logsRoot)
	}
	if v := os.Getenv("SYMPHONY_LOGS_ROOT"); v != "" {
		return absPath(v)
	}
	return filepath.Join(g.StateRoot(), "logs")
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// Logger builds the service logger: stderr plus <logs-root>/symphony.log, with secrets
// scrubbed. The returned function closes the log file.
func (g *Globals) Logger(stderr io.Writer, secrets []string) (*slog.Logger, func() error, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(g.logLevel)); err != nil {
		return nil, nil, usageErr(fmt.Errorf("--log-level: %w", err))
	}
	if g.logFormat != "text" && g.logFormat != "json" {
		return nil, nil, usageErr(fmt.Errorf("--log-format must be text or json, got %q", g.logFormat))
	}
	logger, closeFn, err := logging.New(logging.Options{
		Stderr: stderr, LogsRoot: g.LogsRoot(), JSON: g.logFormat == "json", Level: level, Secrets: secrets,
	})
	if err != nil {
		return nil, nil, failure(err)
	}
	return logger, closeFn, nil
}
