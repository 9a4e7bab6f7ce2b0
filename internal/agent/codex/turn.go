package codex

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/reaper"
)

// RunTurn starts a turn on the session's thread and waits for it to end. Continuation turns
// reuse the same thread, so Codex keeps the conversation.
func (s *Session) RunTurn(ctx context.Context, prompt string) (agent.TurnResult, error) {
	if !s.startCalled.Load() {
		return agent.TurnResult{}, agent.Errorf(agent.CodeSessionClosed, "RunTurn before a successful Start")
	}
	var thread string
	var outcome chan turnOutcome
	var refused error
	s.do(func(st *sessionState) {
		switch {
		case st.closedErr != nil:
			refused = st.closedErr
		case st.threadID == "":
			refused = agent.Errorf(agent.CodeSessionClosed, "RunTurn before a successful Start")
		case st.turnWait != nil:
			refused = agent.Errorf(agent.CodeSessionClosed, "a turn is already running")
		default:
			outcome = make(chan turnOutcome, 1)
			st.turnWait, st.turnID, st.lastMessage = outcome, "", ""
			st.turnBegun = true
			st.breaker.succeed()
			thread = st.threadID
		}
	})
	if refused != nil {
		return agent.TurnResult{}, refused
	}

	params := map[string]any{
		"threadId":       thread,
		"input":          []map[string]any{{"type": "text", "text": prompt}},
		"cwd":            s.workspace,
		"approvalPolicy": s.opts.ApprovalPolicy,
	}
	if s.opts.PermissionProfile == "" {
		params["sandboxPolicy"] = turnSandboxPolicy(s.opts.TurnSandboxPolicy, s.workspace, s.gitRoots)
	}
	var started turnStartResult
	if err := s.startTurn(ctx, params, &started); err != nil {
		s.do(func(st *sessionState) {
			if st.turnWait == outcome {
				st.turnWait = nil
			}
		})
		return agent.TurnResult{}, err
	}
	turnID := started.Turn.ID
	sessionID := thread + "-" + turnID
	log := s.opts.Logger.With("session_id", sessionID)
	log.Info("codex turn started")
	s.emit(agent.Event{Kind: agent.EventSessionStarted, ThreadID: thread, TurnID: turnID})

	timer := time.NewTimer(s.opts.TurnTimeout)
	defer timer.Stop()
	var err error
	reported := false
	select {
	case o := <-outcome:
		err, reported = o.err, o.reported
	case <-timer.C:
		err = agent.Errorf(agent.CodeTurnTimeout, "%s", s.explainFaults(fmt.Sprintf("turn %s did not finish within %s", turnID, s.opts.TurnTimeout)))
	case <-ctx.Done():
		err = &agent.Error{Code: agent.CodeTurnCancelled, Message: "turn " + turnID + " cancelled", Err: ctx.Err()}
	}
	var last string
	var usage agent.TokenUsage
	s.do(func(st *sessionState) {
		if st.turnWait == outcome {
			st.turnWait = nil
		}
		last, usage = st.lastMessage, st.account.Thread(thread)
	})
	result := agent.TurnResult{ThreadID: thread, TurnID: turnID, SessionID: sessionID, LastMessage: last, Usage: usage}
	if err != nil {
		log.Warn("codex turn failed", "code", string(agent.CodeOf(err)), "error", err)
		if !reported {
			s.interruptIfOurs(err, thread, turnID)
		}
		if c := agent.CodeOf(err); c != agent.CodeTurnFailed && c != agent.CodeRateLimited && c != agent.CodeTurnCancelled && c != agent.CodeTurnInputRequired {
			s.emit(agent.Event{Kind: agent.EventTurnEndedWithError, ThreadID: thread, TurnID: turnID, Message: err.Error(), Code: c})
		}
		return result, err
	}
	log.Info("codex turn completed", "total_tokens", usage.Total)
	return result, nil
}

// startTurn sends turn/start and waits for its response. The owner records the turn id from
// the response before it handles the next line, so a turn/completed that follows at once is
// matched to this turn.
func (s *Session) startTurn(ctx context.Context, params map[string]any, started *turnStartResult) error {
	c, err := s.rpc.SendObserved("turn/start", params, func(result json.RawMessage) {
		var r turnStartResult
		if json.Unmarshal(result, &r) == nil {
			s.st.turnID = r.Turn.ID
		}
	})
	if err != nil {
		return s.sendError(err)
	}
	return s.await(ctx, c, started)
}

// interruptIfOurs asks Codex to stop a turn that the adapter, not Codex, decided to end.
func (s *Session) interruptIfOurs(err error, thread, turn string) {
	switch agent.CodeOf(err) {
	case agent.CodeTurnTimeout, agent.CodeTurnCancelled, agent.CodeTurnInputRequired, agent.CodeToolFailureLoop:
	default:
		return
	}
	select {
	case <-s.exited:
		return
	default:
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.ReadTimeout)
	defer cancel()
	if ierr := s.call(ctx, "turn/interrupt", map[string]any{"threadId": thread, "turnId": turn}, nil); ierr != nil {
		s.opts.Logger.Warn("interrupt codex turn", "turn_id", turn, "error", ierr)
	}
}

// Stop ends the session: the running turn is interrupted, stdin is closed so Codex can exit
// cleanly, and after a short grace the whole process tree is killed. The private CODEX_HOME
// is removed. Stop is idempotent and safe to call concurrently with RunTurn.
func (s *Session) Stop(ctx context.Context) error {
	s.stopOnce.Do(func() {
		if s.startCalled.CompareAndSwap(false, true) {
			// Never started: nothing runs and nothing was written, and Start now refuses.
			close(s.exited)
			s.toolCancel()
			return
		}
		var thread, turn string
		var running bool
		s.do(func(st *sessionState) {
			st.stopped = true
			thread, turn, running = st.threadID, st.turnID, st.turnWait != nil
		})
		if s.proc != nil {
			s.terminate(ctx, thread, turn, running)
		}
		s.toolCancel()
		s.waitForTools()
		s.do(func(st *sessionState) { st.endTurn("", agent.Errorf(agent.CodeTurnCancelled, "session stopped")) })
		s.removeDirs()
	})
	return nil
}

func (s *Session) terminate(ctx context.Context, thread, turn string, running bool) {
	pid := s.PID()
	supervised := reaper.Supervised()
	var tree []reaper.Identity
	if !supervised {
		tree = processTree(pid)
	}
	if running && turn != "" {
		// Fire and forget: the process is going away whatever the answer.
		_, _ = s.rpc.Send("turn/interrupt", map[string]any{"threadId": thread, "turnId": turn})
	}
	s.proc.CloseStdin()
	grace := time.NewTimer(DefaultStopGrace)
	defer grace.Stop()
	select {
	case <-s.proc.Exited():
	case <-grace.C:
	case <-ctx.Done():
	}
	if supervised {
		s.endSupervisor(pid)
	} else {
		// Whatever Codex left behind (or everything, if it did not exit) is terminated; the
		// tree snapshot taken before stdin closed still names children that were reparented.
		// SIGTERM first lets shells run their exit traps (a login shell killed outright can
		// leave lock files behind), then SIGKILL ends whatever ignored it.
		tree = append(tree, processTree(pid)...)
		signalTree(pid, tree, termSignal)
		waitAllGone(tree, termGrace)
		signalTree(pid, tree, killSignal)
	}
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		s.opts.Logger.Error("codex did not exit after SIGKILL", "pid", pid)
	}
}

// endSupervisor ends the supervisor pid names, which Codex runs under, unless it is gone
// already: it exits only once Codex and everything below it are gone, and on SIGTERM it ends
// that tree itself, exit traps first (reaper.End). The session does not list the tree: reading
// a process's per-thread /proc files makes the kernel's reaping of it cost milliseconds, paid
// once by the supervisor for Codex and once by the service for the supervisor: a fifth of
// the service's samples in a perf profile of starting and stopping 200 agents.
func (s *Session) endSupervisor(pid int) {
	select {
	case <-s.proc.Exited():
		return
	default:
	}
	// The supervisor is this process's child and not yet reaped, so its pid is still its own.
	if id, err := reaper.Identify(pid); err == nil {
		if err := reaper.End(id, supervisorEndTimeout); err != nil {
			s.opts.Logger.Error("codex's supervisor did not end", "pid", pid, "error", err)
		}
	}
}

// supervisorEndTimeout bounds reaper.End on a supervisor: its own TERM grace and kill sweeps,
// then End's own SIGKILL sweeps of whatever is left.
const supervisorEndTimeout = 10 * time.Second

// termGrace is how long leftover processes get to run their exit traps after SIGTERM.
const termGrace = 2 * time.Second

// toolDrainTimeout bounds how long Stop waits for running tool calls after cancelling them.
const toolDrainTimeout = 5 * time.Second

func (s *Session) waitForTools() {
	done := make(chan struct{})
	go func() {
		s.toolsWG.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(toolDrainTimeout):
		s.opts.Logger.Error("a tool call ignored cancellation; stopping without it", "timeout", toolDrainTimeout)
	}
}
