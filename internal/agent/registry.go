package agent

import (
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/sandbox"
	"github.com/symphony-go/symphony/internal/secretscan"
)

// Runtime is one agent runtime as the service knows it. A runtime package registers itself
// (Register, from an init function); the CLI and the orchestrator look runtimes up by the name
// agent.runtime gives and never name one themselves.
type Runtime struct {
	// Name is the agent.runtime value that selects the runtime.
	Name string
	// Validate checks what only this runtime reads of cfg, naming each key at fault; nil when
	// the config schema already checks everything it reads.
	Validate func(cfg *config.Config) error
	// SandboxInput adds the runtime's own paths to a session's sandbox input: in carries the
	// workspace, the session directory and the state, logs and home paths.
	SandboxInput func(in sandbox.Input) sandbox.Input
	// NewSession builds an unstarted session for one worker attempt.
	NewSession func(req SessionRequest) (Session, error)
}

// SessionRequest is what the service hands a runtime to build one session.
type SessionRequest struct {
	// Config is the configuration in force for the attempt.
	Config *config.Config
	// ExtraEnv ("KEY=value") is added to the agent's allow-listed environment: values
	// Symphony itself sets for the run, such as SYMPHONY_VERIFICATION_PORT, never operator
	// secrets.
	ExtraEnv []string
	// WorkspaceRoot is workspaces.root; Workspace, the issue workspace, is strictly inside it.
	WorkspaceRoot string
	Workspace     string
	// SessionsRoot is where the runtime makes the session's private directory (0700), which
	// it removes when the session stops.
	SessionsRoot string
	// StateRoot, LogsRoot and Home are denied or granted by the sandbox policy.
	StateRoot string
	LogsRoot  string
	Home      string
	// IssueIdentifier and IssueTitle name the session where the runtime shows a name.
	IssueIdentifier string
	IssueTitle      string
	// Tools are the attempt's scoped tools; nil when it has none.
	Tools ToolRegistry
	// Resume is the conversation the session should continue, kept by an earlier session
	// that asked a human a question; nil starts a new one.
	Resume *KeptThread
	// Events receives every session event.
	Events EventSink
	// HeldFiles stay open in the agent's supervisor until its process tree is gone.
	HeldFiles []*os.File
	// MountPointRecord is the file beside the workspace lock where a local sandboxed session
	// keeps its record of the mount points its sandbox may leave (agent.MountPoints), so the
	// next session in the workspace removes what this one could not, if its service was
	// killed; "" keeps the record in memory only.
	MountPointRecord string
	// MCPShim is how an agent process reaches Symphony's MCP server for Tools.
	MCPShim MCPShim
	// Remote, when set, runs the agent on an SSH worker host; WorkspaceRoot and Workspace
	// are then paths on that host.
	Remote  *Remote
	Secrets *secretscan.Scanner
	Logger  *slog.Logger
}

// MCPShim is the `symphony mcp-shim` program an agent runs to reach Symphony's MCP server.
type MCPShim struct {
	// Executable is the symphony binary; empty when it could not be located (Err says why).
	Executable string
	Err        error
	// Version is what the server reports in its initialize answer.
	Version string
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Runtime{}
)

// Register adds a runtime. It panics on an empty or duplicate name or a missing constructor,
// which are programming errors found at start-up.
func Register(rt Runtime) {
	registryMu.Lock()
	defer registryMu.Unlock()
	switch _, dup := registry[rt.Name]; {
	case rt.Name == "":
		panic("agent: Register with an empty runtime name")
	case dup:
		panic("agent: runtime " + rt.Name + " registered twice")
	case rt.NewSession == nil:
		panic("agent: runtime " + rt.Name + " registered without a session constructor")
	}
	registry[rt.Name] = rt
}

// Lookup returns the runtime registered under name.
func Lookup(name string) (Runtime, error) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	rt, ok := registry[name]
	if !ok {
		return Runtime{}, fmt.Errorf("agent.runtime %q has no adapter in this build (available: %s)", name, strings.Join(namesLocked(), ", "))
	}
	return rt, nil
}

// Runtimes lists the registered runtime names, sorted.
func Runtimes() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	return namesLocked()
}

func namesLocked() []string {
	names := make([]string, 0, len(registry))
	for name := range registry {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// CheckRuntime looks up the runtime cfg selects and runs its validation.
func CheckRuntime(cfg *config.Config) (Runtime, error) {
	rt, err := Lookup(cfg.Agent.Runtime)
	if err != nil {
		return Runtime{}, err
	}
	if rt.Validate != nil {
		if err := rt.Validate(cfg); err != nil {
			return Runtime{}, err
		}
	}
	return rt, nil
}
