package claude

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/jsonl"
	"github.com/symphony-go/symphony/internal/agent/reaper"
)

// RunTurn runs one `claude -p` process with prompt on its stdin and reads its stream-json
// until the result line (plus a short grace for the exit) or a timeout, then kills its whole
// process group, whatever happened.
func (s *Session) RunTurn(ctx context.Context, prompt string) (agent.TurnResult, error) {
	s.mu.Lock()
	stopped := s.stopped
	s.mu.Unlock()
	if stopped || s.dir.path == "" {
		return agent.TurnResult{}, agent.Errorf(agent.CodeSessionClosed, "the claude session is not running")
	}
	s.turns++
	cmd, err := s.turnCommand(prompt)
	if err != nil {
		return agent.TurnResult{}, err
	}
	if err := s.mounts.Record(); err != nil {
		s.opts.Logger.Warn("claude's sandbox mount points: the record beside the workspace lock", "error", err.Error())
	}
	// run keeps nothing of a line past its batch (see handle), so the reader may reuse the
	// memory of the lines of the batch before.
	proc, stream, err := jsonl.Start(cmd, jsonl.ProcessOptions{Read: jsonl.ReadOptions{LinesValidUntilNextTake: true}}, decodeLine)
	if c, ok := cmd.Stdin.(io.Closer); ok {
		_ = c.Close()
	}
	if err != nil {
		if s.opts.Remote != nil {
			return agent.TurnResult{}, agent.Errorf(agent.CodePortExit, "start ssh to worker host %s: %w", s.opts.Remote.Host, err)
		}
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			return agent.TurnResult{}, agent.Errorf(agent.CodeClaudeNotFound, "start %s: %w", s.exe, err)
		}
		return agent.TurnResult{}, agent.Errorf(agent.CodePortExit, "start %s: %w", s.exe, err)
	}
	s.setProc(proc)
	// The identity is read while the child cannot have been reaped, so End never signals a
	// reused pid.
	id, idErr := reaper.IdentifyChild(proc.PID())
	defer s.endProcess(proc, stream, id, idErr == nil)
	if s.opts.Remote != nil {
		defer s.endRemoteTurn()
	}

	t := &turn{s: s, proc: proc, st: newTurnState(), stream: stream}
	return t.run(ctx)
}

// turnCommand is the turn's process: claude in the workspace reading the prompt from a 0600
// file in the private directory, or, for a worker host, ssh carrying the prompt on its stdin
// to claude there. The prompt is never on an argv.
func (s *Session) turnCommand(prompt string) (*exec.Cmd, error) {
	if s.opts.Remote != nil {
		argv, err := s.remoteArgv()
		if err != nil {
			return nil, err
		}
		cmd, err := reaper.Command(argv, s.opts.HeldFiles...)
		if err != nil {
			return nil, agent.Errorf(agent.CodePortExit, "%s: %w", argv[0], err)
		}
		cmd.Env, cmd.Stdin = agent.SSHClientEnviron(), strings.NewReader(prompt)
		return cmd, nil
	}
	promptFile, promptDir, err := s.dir.writePrompt(prompt)
	if err != nil {
		return nil, err
	}
	// The child reads the prompt straight from the 0600 file through its own descriptor, so
	// the file and its directory can go before the turn runs.
	defer os.RemoveAll(promptDir)
	cmd, err := reaper.Command(append([]string{s.exe}, s.argv()...), s.opts.HeldFiles...)
	if err != nil {
		return nil, agent.Errorf(agent.CodeClaudeNotFound, "%s: %w", s.exe, err)
	}
	cmd.Dir, cmd.Env = s.workspace, s.env()
	if cmd.Stdin, err = os.Open(promptFile); err != nil {
		return nil, agent.Errorf(agent.CodeSettingsWrite, "open the prompt: %w", err)
	}
	return cmd, nil
}

func (s *Session) setProc(p *jsonl.Process) {
	s.mu.Lock()
	s.proc = p
	stopped := s.stopped
	s.mu.Unlock()
	if stopped {
		p.Signal(syscall.SIGKILL)
	}
}

// endProcess ends the turn's whole process tree, waits (bounded) for the reap and lets the
// reader goroutine go. Claude's sandbox starts commands with bwrap --new-session, outside the
// process group, so the tree is ended through the agent's supervisor (a subreaper that kills
// every descendant) before the group is killed. Once the tree is known to be gone, the mount
// points its sandbox left are removed.
func (s *Session) endProcess(p *jsonl.Process, stream *jsonl.Stream[line], id reaper.Identity, identified bool) {
	treeGone := identified
	if identified {
		if err := reaper.End(id, exitWait); err != nil {
			treeGone = false
			s.opts.Logger.Warn("ending the claude process tree failed", "pid", p.PID(), "error", err.Error())
		}
	}
	p.Signal(syscall.SIGKILL)
	timer := time.NewTimer(exitWait)
	defer timer.Stop()
	select {
	case <-p.Exited():
	case <-timer.C:
		treeGone = false
		s.opts.Logger.Warn("claude process group did not exit after SIGKILL", "pid", p.PID())
	}
	stream.Close()
	s.sweepMountPoints(treeGone)
	s.mu.Lock()
	s.proc = nil
	stopped := s.stopped
	s.mu.Unlock()
	if stopped {
		if err := s.removeSandboxTemp(); err != nil {
			s.opts.Logger.Warn("removing the sandbox temp dir after the session stopped failed", "error", err.Error())
		}
	}
}

// sweepMountPoints removes the mount points the turn's sandbox left in the workspace, unless
// a process of the turn may still run: a mount point removed under a live sandbox would lift
// the deny it carries.
func (s *Session) sweepMountPoints(treeGone bool) {
	if s.mounts == nil {
		return
	}
	if !treeGone {
		s.opts.Logger.Warn("the claude process tree may still run; its sandbox's mount points in the workspace are left")
		return
	}
	s.mounts.SweepLogged(s.opts.Logger, "claude's sandbox")
}

// turn is one running turn; its fields are owned by run.
type turn struct {
	s      *Session
	proc   *jsonl.Process
	st     *turnState
	stream *jsonl.Stream[line]
	// sawLine is set by the first stream-json line: the agent ran on the host.
	sawLine bool
	// accounted is set once the result's usage was added to the session.
	accounted bool
	usage     agent.TokenUsage
}

func (t *turn) emit(ev agent.Event) {
	ev.Time, ev.PID = time.Now().UTC(), t.proc.PID()
	t.s.opts.Events(ev)
}

func (t *turn) run(ctx context.Context) (agent.TurnResult, error) {
	opts := t.s.opts
	turnTimer := time.NewTimer(opts.TurnTimeout)
	defer turnTimer.Stop()
	var commandTimer *time.Timer
	var commandC, graceC <-chan time.Time
	stopCommandTimer := func() {
		if commandTimer != nil {
			commandTimer.Stop()
			commandTimer, commandC = nil, nil
		}
	}
	defer stopCommandTimer()
	// lines is the stream's Ready until a Take finds lines, then a closed channel until one
	// finds none: lines queued while others wait are not signalled. Between two batches the
	// select still lets a timer or the context in.
	lines := t.stream.Ready()
	var batch []jsonl.Item[line]
	for {
		select {
		case <-ctx.Done():
			return t.fail(agent.Errorf(agent.CodeTurnCancelled, "turn cancelled: %w", context.Cause(ctx)))
		case <-turnTimer.C:
			return t.fail(agent.Errorf(agent.CodeTurnTimeout, "the turn ran past agent.timeouts.turn_ms (%s)", opts.TurnTimeout))
		case <-commandC:
			return t.fail(agent.Errorf(agent.CodeCommandTimeout, "a tool call ran past agent.timeouts.command_ms (%s): %s", opts.CommandTimeout, t.st.openCommands()))
		case <-graceC:
			opts.Logger.Info("turn_completed_without_process_exit", "pid", t.proc.PID(), "grace", opts.ResultGrace)
			return t.finish()
		case <-lines:
			var more bool
			batch, more = t.stream.Take(batch[:0])
			if !more {
				return t.finish()
			}
			lines = t.stream.Ready()
			if len(batch) > 0 {
				lines = linesWaiting
			}
			for _, it := range batch {
				openBefore := len(t.st.open)
				t.handle(it)
				switch {
				case t.st.result != nil:
					stopCommandTimer()
					if graceC == nil {
						graceC = time.After(opts.ResultGrace)
					}
				case len(t.st.open) == 0:
					stopCommandTimer()
				case len(t.st.open) > openBefore && opts.CommandTimeout > 0:
					stopCommandTimer()
					commandTimer = time.NewTimer(opts.CommandTimeout)
					commandC = commandTimer.C
				}
			}
			clear(batch)
		}
	}
}

// linesWaiting is always ready: the turn takes again at once after a Take that found lines.
var linesWaiting = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// handle reports one line as events. Its line is valid only until the turn's next Take: the
// decoded value holds copies (encoding/json), and an event's Raw is valid only during the
// sink's call (agent.Event).
func (t *turn) handle(it jsonl.Item[line]) {
	t.sawLine = true
	if it.Err != nil {
		t.emit(agent.Event{Kind: agent.EventMalformed, Message: it.Err.Error(), Raw: rawOf(it.Line), RawTruncated: len(it.Line) > eventRawBytes})
		return
	}
	for _, ev := range t.st.observe(it.Value, it.Line) {
		t.emit(ev)
	}
}

// finish ends a turn whose output ended or whose result's grace ran out.
func (t *turn) finish() (agent.TurnResult, error) {
	err, ok := t.st.outcome()
	t.s.mu.Lock()
	stopped := t.s.stopped
	t.s.mu.Unlock()
	if stopped && (!ok || err != nil) {
		return t.fail(agent.Errorf(agent.CodeTurnCancelled, "the session was stopped during the turn"))
	}
	if !ok {
		exitErr := t.exitStatus()
		if exitErr == nil && (t.s.opts.Remote == nil || t.sawLine) {
			return t.fail(agent.Errorf(agent.CodeNoResultEvent, "claude exited 0 without a result line"))
		}
		if exitErr == nil {
			return t.fail(agent.Errorf(agent.CodeWorkerHostUnavailable, "worker host %s: the turn's ssh exited 0 before claude wrote a line", t.s.opts.Remote.Host))
		}
		e := &agent.Error{Code: agent.CodeExitStatus, Message: "claude " + exitErr.Error() + " without a result line", StderrTail: t.proc.StderrTail(), Err: exitErr}
		if t.s.opts.Remote != nil {
			t.s.classifyRemoteExit(e, exitErr, t.sawLine)
		}
		return t.fail(e)
	}
	u := t.account()
	if err != nil {
		return t.fail(err)
	}
	sessionID := t.st.sessionID
	t.emit(agent.Event{Kind: agent.EventTurnCompleted, SessionID: sessionID, ThreadID: sessionID, Usage: &u})
	return agent.TurnResult{ThreadID: sessionID, TurnID: strconv.Itoa(t.s.turns), SessionID: sessionID + "-" + strconv.Itoa(t.s.turns),
		LastMessage: t.st.result.Result, Usage: u}, nil
}

// exitStatus waits, bounded, for the process whose output ended to exit and says how it did.
func (t *turn) exitStatus() error {
	timer := time.NewTimer(exitWait)
	defer timer.Stop()
	select {
	case <-t.proc.Exited():
	case <-timer.C:
		t.proc.Signal(syscall.SIGKILL)
		<-t.proc.Exited()
	}
	return t.proc.ExitErr()
}

// account adds the result's usage to the session and reports it, once per turn.
func (t *turn) account() agent.TokenUsage {
	if t.accounted {
		return t.usage
	}
	t.accounted = true
	if t.st.sessionID != "" {
		t.s.lastSession = t.st.sessionID
	}
	u := turnUsage(t.st.result.Usage)
	t.usage = u
	if u.IsZero() {
		return u
	}
	t.s.mu.Lock()
	t.s.usage = t.s.usage.Add(u)
	total := t.s.usage
	t.s.mu.Unlock()
	t.emit(agent.Event{Kind: agent.EventTokenUsage, SessionID: t.st.sessionID, ThreadID: t.st.sessionID, Usage: &total, UsageDelta: &u,
		Model: t.st.model, CostUSD: t.st.result.TotalCostUSD})
	return u
}

func (t *turn) fail(err *agent.Error) (agent.TurnResult, error) {
	if t.st.result != nil {
		t.account()
	}
	t.emit(agent.Event{Kind: agent.EventTurnFailed, SessionID: t.st.sessionID, ThreadID: t.st.sessionID, Code: err.Code, Message: err.Message})
	return agent.TurnResult{}, err
}
