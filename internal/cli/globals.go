package cli

import (
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// Globals holds the flags every command shares.
type Globals struct {
	ConfigPath string
	stateRoot  string
	logsRoot   string
	Host       string
	Port       int
	portSet    bool
}

func (g *Globals) bind(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringVar(&g.ConfigPath, "config", "symphony.yml", "path to the operator config file")
	f.StringVar(&g.stateRoot, "state-root", "", "directory for the run store and audit log (env SYMPHONY_STATE_ROOT)")
	f.StringVar(&g.logsRoot, "logs-root", "", "directory for log files (env SYMPHONY_LOGS_ROOT; default <state-root>/logs)")
	f.StringVar(&g.Host, "host", "", "dashboard listen host (overrides dashboard.host)")
	f.IntVar(&g.Port, "port", 0, "dashboard listen port (overrides dashboard.port; 0 picks a free port)")
	root.PersistentPreRun = func(cmd *cobra.Command, _ []string) {
		g.portSet = cmd.Flags().Changed("port")
	}
}

// PortSet reports whether --port was given, so 0 can mean "pick one" rather than "unset".
func (g *Globals) PortSet() bool { return g.portSet }

// StateRoot returns the state directory: --state-root, else $SYMPHONY_STATE_ROOT, else
// $XDG_STATE_HOME/symphony, else ~/.local/state/symphony.
func (g *Globals) StateRoot() string {
	if g.stateRoot != "" {
		return absPath(g.stateRoot)
	}
	if v := os.Getenv("SYMPHONY_STATE_ROOT"); v != "" {
		return absPath(v)
	}
	if v := os.Getenv("XDG_STATE_HOME"); v != "" {
		return filepath.Join(absPath(v), "symphony")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return absPath(".symphony-state")
	}
	return filepath.Join(home, ".local", "state", "symphony")
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
