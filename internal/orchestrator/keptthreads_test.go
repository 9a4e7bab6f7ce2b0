package orchestrator

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/store"
)

// keepingRuntime gives scripted sessions a runtime's ability to keep their conversation: a
// kept thread is a file in the directory the worker names, and resuming fails with resumeErr.
type keepingRuntime struct {
	resumeErr error

	mu      sync.Mutex
	resumes []*agent.KeptThread
	kept    int
}

type keepingSession struct {
	agent.Session
	rt     *keepingRuntime
	resume *agent.KeptThread
}

func (k *keepingRuntime) wrap(r AgentRequest, s agent.Session) agent.Session {
	k.mu.Lock()
	k.resumes = append(k.resumes, r.Resume)
	k.mu.Unlock()
	return &keepingSession{Session: s, rt: k, resume: r.Resume}
}

// requests are the Resume of every session built so far.
func (k *keepingRuntime) requests() []*agent.KeptThread {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]*agent.KeptThread(nil), k.resumes...)
}

func (s *keepingSession) KeepThread(dir string) (agent.KeptThread, error) {
	s.rt.mu.Lock()
	s.rt.kept++
	s.rt.mu.Unlock()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return agent.KeptThread{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, "conversation"), []byte("asked"), 0o600); err != nil {
		return agent.KeptThread{}, err
	}
	return agent.KeptThread{ThreadID: "thread-1", Dir: dir}, nil
}

func (s *keepingSession) ResumeErr() error {
	if s.resume == nil {
		return nil
	}
	return s.rt.resumeErr
}

// threadResumes are the thread_resume audit records of an issue.
func threadResumes(h *harness, identifier string) []audit.Record {
	h.t.Helper()
	if err := h.audit.Sync(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	recs, err := audit.Query(audit.QueryOptions{Dir: audit.Dir(h.state), Issue: identifier})
	if err != nil {
		h.t.Fatal(err)
	}
	var out []audit.Record
	for _, r := range recs {
		if r.EventType == audit.EventThreadResume {
			out = append(out, r)
		}
	}
	return out
}

// The session that asked keeps its conversation; the wait records it, so after a restart the
// attempt that follows the reply is asked to continue it, with the reply still in its prompt.
// The kept copy is removed once that session has started. When continuing fails, the attempt
// runs on a new conversation and the audit log says why.
func TestTheAttemptAfterTheReplyContinuesTheThreadThatAsked(t *testing.T) {
	for _, c := range []struct {
		name      string
		resumeErr error
	}{
		{"resumed", nil},
		{"resume fails", errors.New("codex wrote no rollout for thread thread-1")},
	} {
		t.Run(c.name, func(t *testing.T) {
			state, threads := t.TempDir(), t.TempDir()
			rt := &keepingRuntime{resumeErr: c.resumeErr}
			opts := []option{withHumanInput(false), func(hc *harnessConfig) {
				hc.stateRoot, hc.threadsDir, hc.wrapAgent = state, threads, rt.wrap
			}}
			h := newHarness(t, opts...)
			h.put(newIssue(1, "In Progress"))
			h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{askTurn(h, "id-1", "Which port should the server use?"), {}}})
			h.start()
			h.waitStatuses("id-1", store.StatusAwaitingInput)
			h.waitFor("the wait", func(s *Snapshot) bool { return len(s.AwaitingInput) == 1 && idle("id-1")(s) })
			var q *store.Question
			h.eventually("the kept thread in the recorded wait", func() bool {
				holds, err := h.store.Holds(context.Background())
				if err == nil && len(holds) == 1 && holds[0].Question != nil {
					q = holds[0].Question
				}
				return q != nil && q.ThreadID != ""
			})
			runs := h.runs("id-1")
			if want := filepath.Join(threads, runs[0].ID); q.ThreadID != "thread-1" || q.ThreadDir != want {
				t.Fatalf("recorded wait %+v, want thread-1 kept in %s", q, want)
			}
			if _, err := os.Stat(filepath.Join(q.ThreadDir, "conversation")); err != nil {
				t.Fatalf("the kept conversation is not on disk: %v", err)
			}

			// A conversation kept by a run whose wait was never recorded is removed at restart.
			orphan := filepath.Join(threads, "run-without-a-wait")
			if err := os.Mkdir(orphan, 0o700); err != nil {
				t.Fatal(err)
			}
			h.closeDurable()
			again := newHarness(t, opts...)
			again.put(issue.Issue{ID: "id-1", Identifier: "ENG-1", Title: "Issue 1", State: "In Progress"})
			again.tr.AddComment("id-1", issue.Comment{ID: "comment-2", Author: "symphony", Body: "question"})
			again.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{}}})
			again.start()
			if _, err := os.Stat(orphan); !os.IsNotExist(err) {
				t.Errorf("the orphaned kept conversation survived the restart: %v", err)
			}
			if _, err := os.Stat(q.ThreadDir); err != nil {
				t.Fatalf("the waiting issue's kept conversation was removed at restart: %v", err)
			}
			again.tr.AddComment("id-1", issue.Comment{Author: "dana", Body: "Use 8080."})
			again.poll()
			again.eventually("the first prompt after the reply", func() bool {
				sessions := again.agents.SessionsFor("ENG-1")
				return len(sessions) == 1 && len(sessions[0].Prompts()) > 0
			})
			reqs := rt.requests()
			if last := reqs[len(reqs)-1]; last == nil || last.ThreadID != "thread-1" || last.Dir != q.ThreadDir {
				t.Fatalf("the attempt after the reply was asked to resume %+v, want thread-1 from %s", last, q.ThreadDir)
			}
			if first := reqs[0]; first != nil {
				t.Fatalf("the asking attempt was asked to resume %+v", first)
			}
			again.eventually("the thread_resume record and the kept copy removed", func() bool {
				_, err := os.Stat(q.ThreadDir)
				return len(threadResumes(again, "ENG-1")) == 1 && os.IsNotExist(err)
			})
			rec := threadResumes(again, "ENG-1")[0]
			if rec.Details["thread_id"] != "thread-1" || rec.Details["resumed"] != (c.resumeErr == nil) {
				t.Errorf("thread_resume record %v", rec.Details)
			}
			if c.resumeErr != nil && rec.Details["error"] != c.resumeErr.Error() {
				t.Errorf("thread_resume record %v does not say why resuming failed", rec.Details)
			}
		})
	}
}

// An attempt that asked but then failed does not wait for a reply, so the conversation it
// kept is removed.
func TestAKeptConversationNoWaitRefersToIsRemoved(t *testing.T) {
	threads := t.TempDir()
	rt := &keepingRuntime{}
	h := newHarness(t, withHumanInput(false), func(hc *harnessConfig) { hc.threadsDir, hc.wrapAgent = threads, rt.wrap })
	h.put(newIssue(1, "In Progress"))
	asked := askTurn(h, "id-1", "Which port should the server use?")
	asked.Err = agent.Errorf(agent.CodeTurnFailed, "the model API failed after the question")
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{asked}})
	h.start()
	h.waitFor("the retry", retrying("id-1", 1))
	if s := h.o.Snapshot(); len(s.AwaitingInput) != 0 {
		t.Fatalf("a failed attempt waits for input: %+v", s.AwaitingInput)
	}
	h.eventually("the kept conversation removed", func() bool {
		entries, err := os.ReadDir(threads)
		return err == nil && len(entries) == 0
	})
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.kept != 1 {
		t.Fatalf("the asking session kept %d conversations, want 1", rt.kept)
	}
}
