package orchestrator

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/audit"
)

// A session that asks a human a question keeps its conversation (when its runtime can) under
// Deps.ThreadsDir before it stops; the kept thread is recorded with the wait, so a restart
// between question and reply keeps it too, and the attempt after the reply continues it. When
// that fails the attempt runs on a new conversation whose first prompt carries the question
// and the replies, as it would without a kept thread; a thread_resume audit record says which
// happened.

// keepThread saves the asking session's conversation; nil when the runtime keeps none or
// saving failed (logged: the next attempt then starts a new conversation).
func (w *worker) keepThread(job attemptJob, s agent.Session, log *slog.Logger) *agent.KeptThread {
	keeper, ok := s.(agent.ThreadKeeper)
	if !ok || w.d.ThreadsDir == "" {
		return nil
	}
	kept, err := keeper.KeepThread(filepath.Join(w.d.ThreadsDir, job.runID))
	if err != nil {
		log.Warn("keeping the agent's conversation for after the reply failed; the next attempt starts a new one", "error", err.Error())
		return nil
	}
	return &kept
}

// noteResume audits whether a session continued the kept conversation it was given, and
// removes the kept copy, which the session has taken what it needs from.
func (w *worker) noteResume(job attemptJob, s agent.Session, startErr error, log *slog.Logger) {
	if job.resume == nil {
		return
	}
	defer removeKeptThread(*job.resume, log)
	if startErr != nil {
		return
	}
	details := map[string]any{"thread_id": job.resume.ThreadID, "resumed": true}
	why := "the runtime cannot continue a conversation"
	keeper, ok := s.(agent.ThreadKeeper)
	if ok && keeper.ResumeErr() != nil {
		why = keeper.ResumeErr().Error()
	}
	if !ok || keeper.ResumeErr() != nil {
		details["resumed"], details["error"] = false, why
		log.Warn("continuing the conversation that asked failed; the question and replies go in a new one's prompt", "thread_id", job.resume.ThreadID, "error", why)
	}
	w.rec.appendAudit(issueEvent(w.d.Clock.Now(), job.issue, job.runID, "", audit.EventThreadResume, details))
}

// removeKeptThread deletes a kept conversation's copy.
func removeKeptThread(kept agent.KeptThread, log *slog.Logger) {
	if kept.Dir == "" {
		return
	}
	if err := os.RemoveAll(kept.Dir); err != nil {
		log.Warn("removing a kept conversation failed", "path", kept.Dir, "error", err.Error())
	}
}

// sweepKeptThreads removes the kept conversations no restored wait refers to: left by a
// process that ended between keeping one and recording its wait, or between a reply and the
// next attempt's start. It runs at restore, before the loop.
func (o *Orchestrator) sweepKeptThreads() {
	if o.d.ThreadsDir == "" {
		return
	}
	entries, err := os.ReadDir(o.d.ThreadsDir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			o.log.Warn("reading the kept conversations failed", "path", o.d.ThreadsDir, "error", err.Error())
		}
		return
	}
	waiting := map[string]bool{}
	for _, a := range o.awaiting {
		if a.q.ThreadDir != "" {
			waiting[filepath.Clean(a.q.ThreadDir)] = true
		}
	}
	for _, e := range entries {
		path := filepath.Join(o.d.ThreadsDir, e.Name())
		if !waiting[path] {
			removeKeptThread(agent.KeptThread{Dir: path}, o.log)
		}
	}
}

// dropUnusedKept removes a conversation an attempt kept when its exit did not record a wait
// that refers to it (the attempt asked, but ended for another reason first).
func (o *Orchestrator) dropUnusedKept(issueID string, kept *agent.KeptThread) {
	if kept == nil || kept.Dir == "" {
		return
	}
	if a := o.awaiting[issueID]; a != nil && a.q.ThreadDir == kept.Dir {
		return
	}
	o.removeKeptOffLoop(*kept)
}

// removeKeptOffLoop removes a kept conversation in its own goroutine: the loop does no I/O.
func (o *Orchestrator) removeKeptOffLoop(kept agent.KeptThread) {
	log := o.log
	o.cleanups.Add(1)
	go func() {
		defer o.cleanups.Done()
		removeKeptThread(kept, log)
	}()
}
