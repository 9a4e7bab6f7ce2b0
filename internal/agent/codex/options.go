package codex

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/secretscan"
)

// Kind says what a session is for; it decides which streaming notifications Codex sends.
type Kind int

const (
	// Executor sessions do the work; they opt out of streamed agent-message deltas.
	Executor Kind = iota
	// Reviewer sessions keep item/agentMessage/delta because a read-only reviewer's verdict
	// may only be available as streamed text.
	Reviewer
)

// Defaults applied when an Options field is zero.
const (
	DefaultCommand                  = "codex app-server"
	DefaultReadTimeout              = 5 * time.Second
	DefaultTurnTimeout              = time.Hour
	DefaultMaxIdenticalToolFailures = 5
	// DefaultStopGrace is how long Stop lets Codex exit on its own after stdin closes.
	DefaultStopGrace = 3 * time.Second
)

const (
	// toolOutputTokenLimitFlag keeps completed command items from echoing broad command
	// output back into the app-server stream.
	toolOutputTokenLimitFlag = "tool_output_token_limit=4096"
	// queueBudgetBytes bounds the stdout lines waiting for the owner goroutine. A model
	// writes kilobytes a second, so this only fills when the service falls behind; then the
	// pipe (1 MiB, in the kernel) and the agent wait. Each queued line is held twice, as
	// bytes and decoded, so 64 KiB costs a session about 128 KiB of heap when full: 200
	// lagging sessions stay near 25 MiB instead of growing with the budget.
	queueBudgetBytes = 64 << 10
	// eventRawBytes bounds the frame bytes attached to an event.
	eventRawBytes       = 4 << 10
	clientName          = "symphony"
	clientVersion       = "0.1.0"
	threadNameSeparator = ": "
)

// Options configure one Codex session. The lead maps the operator config onto it; the
// sandbox package renders ApprovalPolicy, ThreadSandbox, TurnSandboxPolicy and ConfigOverrides.
type Options struct {
	// Command is agent.command. Its program is resolved on the PATH in Env and run by
	// absolute path with `--config ...` appended; through `bash -c` only when the command
	// needs shell parsing.
	Command string
	// LoginShell runs Command under `bash -lc` as written, unresolved (agent.login_shell).
	LoginShell bool
	// WorkspaceRoot is the configured workspaces root; Workspace must be strictly inside it.
	WorkspaceRoot string
	// Workspace is the issue workspace and the agent's working directory.
	Workspace string
	// StateDir is where the private per-session directory (CODEX_HOME, TMPDIR) is created.
	// It must not be inside the workspace.
	StateDir string
	// PrivateDir, when set, is the private directory itself instead of a fresh one under
	// StateDir: CODEX_HOME is PrivateDir/home and TMPDIR PrivateDir/tmp, so a sandbox policy
	// rendered before launch can name them. It is removed when the session stops.
	PrivateDir string
	// AuthFile is the operator's Codex auth.json, linked into the private CODEX_HOME when it
	// exists; empty means ~/.codex/auth.json (or $CODEX_HOME/auth.json).
	AuthFile string
	// ConfigTOML is appended to the generated config.toml (model provider, model, ...).
	ConfigTOML string
	// MCPServersTOML holds [mcp_servers.<name>] tables. It is written last in config.toml,
	// after every top-level key, so a table header cannot capture keys that follow it.
	MCPServersTOML string
	// Env is the agent's whole environment, "KEY=value", as sandbox.AgentEnv builds it;
	// nothing else of Symphony's environment is inherited. The session sets CODEX_HOME and
	// TMPDIR to its private directories in place of any given here.
	Env []string

	// IssueIdentifier and IssueTitle name the thread "<identifier>: <title>".
	IssueIdentifier string
	IssueTitle      string
	// Secrets redacts the tracker text the session sends (the thread name, which Codex keeps
	// in its rollout files) and the agent output quoted in errors; nil finds the built-in
	// credential patterns only.
	Secrets *secretscan.Scanner
	// DeveloperInstructions, when set, are sent with thread/start.
	DeveloperInstructions string

	// ApprovalPolicy is the rendered Codex approval policy (a string or an object); nil is
	// rejected unless AutoApproveAll is set, in which case "never" is sent.
	ApprovalPolicy any
	// AutoApproveAll accepts every approval request for the session.
	AutoApproveAll bool
	// ThreadSandbox is the thread sandbox mode: read-only, workspace-write or danger-full-access.
	ThreadSandbox string
	// TurnSandboxPolicy is sent as turn/start sandboxPolicy. When its type is workspaceWrite
	// the workspace, its .git and git's --git-dir/--git-common-dir join writableRoots.
	TurnSandboxPolicy map[string]any
	// ConfigOverrides are extra `--config key=value` arguments appended to the command.
	ConfigOverrides []string
	// PermissionProfile, when set, selects that managed permission profile (defined through
	// ConfigOverrides) by name on thread/start, and the legacy thread sandbox and turn
	// sandboxPolicy fields are not sent: with those fields Codex falls back to plain
	// workspace-write and ignores the profile's deny lists and network rules.
	PermissionProfile string
	// LaunchWrapper turns the final shell command into the argv to execute (for an outer
	// sandbox); nil runs the command directly or under bash.
	LaunchWrapper func(shellCommand string) ([]string, error)
	// HeldFiles (the workspace lock) are kept open by the agent's supervisor, not by the
	// agent, until the whole agent process tree is gone.
	HeldFiles []*os.File

	// Remote runs the agent on an SSH worker host: WorkspaceRoot, Workspace and PrivateDir
	// (required) are then paths on the host, where the agent command runs under `bash -lc`.
	// It cannot be combined with LaunchWrapper, which wraps a local command.
	Remote *agent.Remote

	Kind  Kind
	Tools agent.ToolRegistry
	// Resume is a thread an earlier session kept (Session.KeepThread); Start continues it
	// with thread/resume, or starts a new thread when that fails (Session.ResumeErr).
	Resume *agent.KeptThread

	// ReadTimeout bounds every request/response exchange (agent.timeouts.read_ms).
	ReadTimeout time.Duration
	// TurnTimeout bounds one turn from turn/start to turn/completed (agent.timeouts.turn_ms).
	TurnTimeout time.Duration
	// MaxIdenticalToolFailures ends the turn as a human-attention block when the same command
	// or tool call fails this many times in a row; 0 uses the default, negative disables it.
	MaxIdenticalToolFailures int

	// Events gets the session's events, mostly on the goroutine that owns its state: a sink
	// that called back into the session (Usage, RunTurn) would wait on itself.
	Events agent.EventSink
	Logger *slog.Logger
}

var validThreadSandboxes = map[string]bool{"read-only": true, "workspace-write": true, "danger-full-access": true}

var validTurnPolicyTypes = map[string]bool{"workspaceWrite": true, "readOnly": true, "dangerFullAccess": true, "externalSandbox": true}

// withDefaults validates o and fills zero fields. Every problem is reported, each naming the
// option at fault.
func (o Options) withDefaults() (Options, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if strings.TrimSpace(o.Command) == "" {
		o.Command = DefaultCommand
	}
	if o.WorkspaceRoot == "" {
		bad("codex options: WorkspaceRoot is required")
	}
	if o.Workspace == "" {
		bad("codex options: Workspace is required")
	}
	if o.StateDir == "" && o.PrivateDir == "" {
		bad("codex options: StateDir or PrivateDir is required (the private CODEX_HOME is created there)")
	}
	if o.ApprovalPolicy == nil {
		if o.AutoApproveAll {
			o.ApprovalPolicy = "never"
		} else {
			bad("codex options: ApprovalPolicy is required unless AutoApproveAll is set")
		}
	} else if _, err := json.Marshal(o.ApprovalPolicy); err != nil {
		bad("codex options: ApprovalPolicy is not JSON-encodable: %w", err)
	}
	if o.ThreadSandbox == "" {
		o.ThreadSandbox = "workspace-write"
	} else if !validThreadSandboxes[o.ThreadSandbox] {
		bad("codex options: ThreadSandbox %q is not one of read-only, workspace-write, danger-full-access", o.ThreadSandbox)
	}
	if o.TurnSandboxPolicy == nil {
		o.TurnSandboxPolicy = map[string]any{"type": "workspaceWrite"}
	}
	if typ, _ := o.TurnSandboxPolicy["type"].(string); !validTurnPolicyTypes[typ] {
		bad("codex options: TurnSandboxPolicy type %v is not one of workspaceWrite, readOnly, dangerFullAccess, externalSandbox", o.TurnSandboxPolicy["type"])
	}
	for i, ov := range o.ConfigOverrides {
		if k, _, ok := strings.Cut(ov, "="); !ok || strings.TrimSpace(k) == "" {
			bad("codex options: ConfigOverrides[%d] %q is not key=value", i, ov)
		}
	}
	for i, kv := range o.Env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			bad("codex options: Env[%d] is not KEY=value", i)
		}
	}
	if r := o.Remote; r != nil {
		switch {
		case r.Command == nil || r.Run == nil:
			bad("codex options: Remote needs Command and Run")
		case o.PrivateDir == "":
			bad("codex options: Remote needs PrivateDir, the session directory on the host")
		case o.LaunchWrapper != nil:
			bad("codex options: a LaunchWrapper wraps a local command and cannot run on worker host %s", r.Host)
		}
	}
	if o.Kind != Executor && o.Kind != Reviewer {
		bad("codex options: Kind %d is neither Executor nor Reviewer", o.Kind)
	}
	if o.ReadTimeout < 0 || o.TurnTimeout < 0 {
		bad("codex options: timeouts must not be negative")
	}
	if o.ReadTimeout == 0 {
		o.ReadTimeout = DefaultReadTimeout
	}
	if o.TurnTimeout == 0 {
		o.TurnTimeout = DefaultTurnTimeout
	}
	if o.MaxIdenticalToolFailures == 0 {
		o.MaxIdenticalToolFailures = DefaultMaxIdenticalToolFailures
	}
	if o.Events == nil {
		o.Events = func(agent.Event) {}
	}
	if o.Secrets == nil {
		o.Secrets = secretscan.New()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if len(errs) > 0 {
		return o, &agent.Error{Code: agent.CodeInvalidOptions, Err: errors.Join(errs...)}
	}
	return o, nil
}
