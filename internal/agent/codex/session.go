package codex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/jsonl"
	"github.com/symphony-go/symphony/internal/agent/reaper"
	"github.com/symphony-go/symphony/internal/sandbox"
)

// Session drives one `codex app-server` process. It implements agent.Session. What changes
// while it runs is owned by one goroutine (see sessionState); the fields here are set before
// that goroutine starts and only read afterwards.
type Session struct {
	opts      Options
	optsErr   error
	workspace string
	dirs      privateDirs
	gitRoots  []string
	// resumeErr is why Start began a new thread instead of continuing opts.Resume; it is
	// written by Start and read after it.
	resumeErr error

	proc   *jsonl.Process
	stream *jsonl.Stream[jsonl.Frame]
	rpc    *jsonl.Client
	// pid is written once, at launch, and read by PID from any goroutine.
	pid atomic.Int64
	// startCalled is set by the first Start, or by a Stop that came before any, so a session
	// starts at most once and callers know whether an owner may be running.
	startCalled atomic.Bool

	st sessionState
	// requests carries the functions other goroutines run on the owner (see do).
	requests chan func(*sessionState)
	// oversize carries the start of each oversize line from the reader to the owner.
	oversize chan []byte
	// exited closes when the owner has finished and every waiter has been released, or when
	// Start or Stop found that no owner will ever run.
	exited chan struct{}

	toolCtx    context.Context
	toolCancel context.CancelFunc
	toolsWG    sync.WaitGroup
	stopOnce   sync.Once
	// remoteCleanup removes a worker host's session once, whichever end comes first.
	remoteCleanup sync.Once
}

type turnOutcome struct {
	err error
	// reported is true when Codex itself ended the turn (turn/completed), so there is
	// nothing left to interrupt.
	reported bool
}

var _ agent.Session = (*Session)(nil)

// New prepares a session; nothing runs until Start. Invalid options are reported by Start
// with code invalid_agent_options so the caller sees every problem at once.
func New(opts Options) *Session {
	o, err := opts.withDefaults()
	s := &Session{opts: o, optsErr: err, requests: make(chan func(*sessionState)), oversize: make(chan []byte), exited: make(chan struct{})}
	s.st.faults.secrets = o.Secrets
	s.st.breaker.threshold = o.MaxIdenticalToolFailures
	s.toolCtx, s.toolCancel = context.WithCancel(context.Background())
	return s
}

// PID returns the agent process id, or 0 before Start.
func (s *Session) PID() int { return int(s.pid.Load()) }

// Usage returns the accepted cumulative token totals of the session.
func (s *Session) Usage() agent.TokenUsage {
	var u agent.TokenUsage
	s.do(func(st *sessionState) { u = st.account.Totals() })
	return u
}

// ThreadID returns the Codex thread id once Start has succeeded.
func (s *Session) ThreadID() string {
	var id string
	s.do(func(st *sessionState) { id = st.threadID })
	return id
}

// RateLimits returns the latest rate-limit payload Codex reported, or nil.
func (s *Session) RateLimits() json.RawMessage {
	var limits json.RawMessage
	s.do(func(st *sessionState) { limits = st.rateLimits })
	return limits
}

// Start launches Codex in the workspace and completes the handshake: initialize,
// initialized, thread/start and, when an issue identifier is set, thread/name/set.
func (s *Session) Start(ctx context.Context) error {
	if !s.startCalled.CompareAndSwap(false, true) {
		return agent.Errorf(agent.CodeSessionClosed, "session already started or stopped")
	}
	if s.optsErr != nil {
		close(s.exited)
		return s.optsErr
	}
	if err := s.launch(); err != nil {
		close(s.exited)
		s.emit(agent.Event{Kind: agent.EventStartupFailed, Message: err.Error(), Code: agent.CodeOf(err)})
		return err
	}
	if err := s.handshake(ctx); err != nil {
		if s.opts.Remote != nil && agent.CodeOf(err) != agent.CodeTurnCancelled {
			// Before the handshake the agent has done nothing: whatever failed, the host
			// (its connection, its codex install, its disk) did.
			err = &agent.Error{Code: agent.CodeWorkerHostUnavailable, Message: "worker host " + s.opts.Remote.Host + ": agent handshake failed", Err: err}
		}
		s.emit(agent.Event{Kind: agent.EventStartupFailed, ThreadID: s.ThreadID(), Message: err.Error(), Code: agent.CodeOf(err)})
		_ = s.Stop(context.Background())
		return err
	}
	return nil
}

func (s *Session) launch() error {
	if s.opts.Remote != nil {
		return s.launchRemote()
	}
	ws, err := agent.CheckWorkspace(s.opts.WorkspaceRoot, s.opts.Workspace)
	if err != nil {
		return err
	}
	s.workspace = ws
	auth := s.authLink()
	stateDir, exact := s.opts.StateDir, s.opts.PrivateDir != ""
	if exact {
		stateDir = s.opts.PrivateDir
	}
	s.dirs, err = makePrivateDirs(stateDir, exact, ws, s.opts.ConfigTOML, s.opts.MCPServersTOML, auth, s.opts.Logger)
	if err != nil {
		return &agent.Error{Code: agent.CodeInvalidOptions, Message: "prepare private codex home", Err: err}
	}
	if s.sendsWorkspaceWritePolicy() {
		s.gitRoots = agent.GitMetadataRoots(context.Background(), ws)
	}
	argv, err := s.argv()
	if err != nil {
		s.removeDirs()
		return err
	}
	if err := s.startProcess(argv); err != nil {
		s.removeDirs()
		return err
	}
	return nil
}

// authLink is how the operator's auth.json reaches the session, judged by the model provider
// Codex will use: the one config.toml, the policy's overrides or a --config override written
// into agent.command names, as the agent's environment is built (AgentEnvSpec).
func (s *Session) authLink() authLink {
	provider := sandbox.CodexProviderOf(s.opts.ConfigTOML, s.opts.ConfigOverrides, s.opts.Command)
	return authLink{file: s.opts.AuthFile, used: provider.UsesAuthFile, warnOnce: &missingAuthWarning,
		keyInEnv: provider.EnvKey != "" && envValue(s.opts.Env, provider.EnvKey) != ""}
}

// sendsWorkspaceWritePolicy reports whether turns carry a workspaceWrite sandboxPolicy, the
// only place the git metadata roots are used; a permission profile replaces that field.
func (s *Session) sendsWorkspaceWritePolicy() bool {
	return s.opts.PermissionProfile == "" && s.opts.TurnSandboxPolicy["type"] == "workspaceWrite"
}

func (s *Session) environ() []string {
	env := make([]string, 0, len(s.opts.Env)+2)
	for _, kv := range s.opts.Env {
		if strings.HasPrefix(kv, "CODEX_HOME=") || strings.HasPrefix(kv, "TMPDIR=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "CODEX_HOME="+s.dirs.home, "TMPDIR="+s.dirs.tmp)
}

func (s *Session) startProcess(argv []string) error {
	cmd, err := reaper.Command(argv, s.opts.HeldFiles...)
	if err != nil {
		return &agent.Error{Code: agent.CodeCodexNotFound, Message: fmt.Sprintf("cannot run %q", argv[0]), Err: err}
	}
	if s.opts.Remote == nil {
		cmd.Dir = s.workspace
		cmd.Env = s.environ()
	} else {
		cmd.Env = agent.SSHClientEnviron()
	}
	// The owner keeps nothing of a line past its batch (see own), so the reader may reuse the
	// memory of the lines of the batch before: ingest then makes next to no garbage.
	read := jsonl.ReadOptions{MaxLineBytes: maxLineBytes, QueueBytes: queueBudgetBytes, OnOversize: s.noteOversize, LinesValidUntilNextTake: true}
	proc, stream, err := jsonl.Start(cmd, jsonl.ProcessOptions{Read: read}, decodeFrame)
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			return &agent.Error{Code: agent.CodeCodexNotFound, Message: fmt.Sprintf("cannot run %q", argv[0]), Err: err}
		}
		return &agent.Error{Code: agent.CodePortExit, Message: "start codex", Err: err}
	}
	s.proc, s.stream, s.rpc = proc, stream, jsonl.NewClient(proc, s.opts.ReadTimeout)
	s.pid.Store(int64(proc.PID()))
	s.opts.Logger.Info("codex started", "pid", proc.PID(), "workspace", s.workspace)
	go s.own()
	return nil
}

func (s *Session) handshake(ctx context.Context) error {
	optOut := []string{"turn/diff/updated", "item/commandExecution/outputDelta", "item/fileChange/outputDelta"}
	if s.opts.Kind == Executor {
		optOut = append(optOut, "item/agentMessage/delta")
	}
	initParams := initializeParams{
		Capabilities: clientCapabilities{ExperimentalAPI: true, OptOutNotificationMethods: optOut},
		ClientInfo:   clientInfo{Name: clientName, Version: clientVersion},
	}
	if err := s.callWithin(ctx, "initialize", initParams, nil, s.initializeTimeout()); err != nil {
		return err
	}
	if err := s.send("initialized", nil); err != nil {
		return err
	}
	s.do(func(st *sessionState) { st.handshaken = true })

	threadParams := threadStartParams{
		ApprovalPolicy:        s.opts.ApprovalPolicy,
		Cwd:                   s.workspace,
		DeveloperInstructions: s.opts.DeveloperInstructions,
	}
	if s.opts.PermissionProfile != "" {
		threadParams.Permissions = s.opts.PermissionProfile
	} else {
		threadParams.Sandbox = s.opts.ThreadSandbox
	}
	started, err := s.startThread(ctx, threadParams)
	if err != nil {
		return err
	}
	if started.Thread.ID == "" {
		return agent.Errorf(agent.CodeResponseError, "thread/start returned no thread id")
	}
	s.do(func(st *sessionState) { st.threadID, st.model = started.Thread.ID, started.Model })
	if name := s.threadName(); name != "" {
		if err := s.call(ctx, "thread/name/set", threadNameParams{Name: name, ThreadID: started.Thread.ID}, nil); err != nil {
			return err
		}
	}
	return nil
}

// startThread continues opts.Resume when there is one, and otherwise, or when that fails,
// starts a new thread with the session's dynamic tools.
func (s *Session) startThread(ctx context.Context, params threadStartParams) (threadStartResult, error) {
	if kept := s.opts.Resume; kept != nil {
		resumed, err := s.resumeThread(ctx, *kept, params)
		if err == nil {
			s.opts.Logger.Info("codex thread resumed", "thread_id", kept.ThreadID)
			return resumed, nil
		}
		if ctx.Err() != nil {
			return resumed, err
		}
		s.resumeErr = err
		s.opts.Logger.Warn("resuming the codex thread failed; starting a new one", "thread_id", kept.ThreadID, "error", err.Error())
	}
	params.DynamicTools = s.dynamicTools()
	var started threadStartResult
	err := s.call(ctx, "thread/start", params, &started)
	return started, err
}

// threadName is "<identifier>: <title>" on one line, redacted like every other tracker text:
// Codex writes the name into its rollout and index files.
func (s *Session) threadName() string {
	id := strings.TrimSpace(s.opts.IssueIdentifier)
	if id == "" {
		return ""
	}
	name := id
	if title := strings.TrimSpace(s.opts.IssueTitle); title != "" {
		name += threadNameSeparator + title
	}
	return strings.Join(strings.Fields(s.opts.Secrets.Redact(name)), " ")
}

func (s *Session) dynamicTools() []dynamicTool {
	if s.opts.Tools == nil {
		return nil
	}
	var out []dynamicTool
	for _, spec := range s.opts.Tools.Specs() {
		schema := spec.InputSchema
		if len(schema) == 0 {
			schema = json.RawMessage(`{"type":"object","properties":{}}`)
		}
		out = append(out, dynamicTool{Description: spec.Description, InputSchema: schema, Name: spec.Name, Type: "function"})
	}
	return out
}

func (s *Session) hasTool(name string) bool {
	if s.opts.Tools == nil {
		return false
	}
	for _, spec := range s.opts.Tools.Specs() {
		if spec.Name == name {
			return true
		}
	}
	return false
}

// removeDirs removes the session dir. It runs when the process exits and again when the
// session stops, after the whole process tree is gone; removal is idempotent.
func (s *Session) removeDirs() {
	if s.dirs.root != "" && s.opts.Remote != nil {
		s.remoteCleanup.Do(s.removeRemote)
		return
	}
	if s.dirs.root != "" {
		if err := removeSessionDir(s.dirs.root); err != nil {
			s.opts.Logger.Warn("remove codex session dir", "path", s.dirs.root, "error", err)
		}
	}
}

// emitFrame stamps an event caused by the frame being handled with the time it was read and
// with the running thread and turn, unless it names its own. Only the owner calls it.
func (s *Session) emitFrame(ev agent.Event) {
	ev.Time = s.st.frameTime
	if ev.ThreadID == "" {
		ev.ThreadID = s.st.threadID
	}
	if ev.TurnID == "" {
		ev.TurnID = s.st.turnID
	}
	ev.SessionID = s.st.sessionIDs.of(ev.ThreadID, ev.TurnID)
	s.emit(ev)
}

// emit stamps ev with the time when it has none, the process id and the session id of the
// thread and turn it names, and hands it to the sink.
func (s *Session) emit(ev agent.Event) {
	if ev.Time.IsZero() {
		ev.Time = time.Now().UTC()
	}
	ev.PID = s.PID()
	if ev.SessionID == "" {
		ev.SessionID = sessionIDOf(ev.ThreadID, ev.TurnID)
	}
	s.opts.Events(ev)
}

// sessionIDOf is the session id of a turn of a thread: "<thread>-<turn>", or "" without both.
func sessionIDOf(thread, turn string) string {
	if thread == "" || turn == "" {
		return ""
	}
	return thread + "-" + turn
}

// lastSessionID keeps the session id made last: every frame of a turn has the same one, and
// making it afresh for each was an allocation an event.
type lastSessionID struct {
	thread, turn, id string
}

func (l *lastSessionID) of(thread, turn string) string {
	if thread != l.thread || turn != l.turn {
		l.thread, l.turn, l.id = thread, turn, sessionIDOf(thread, turn)
	}
	return l.id
}
