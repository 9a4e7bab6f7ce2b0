package server

import (
	"net/http"

	"github.com/symphony-go/symphony/internal/orchestrator"
)

// recentEventsInIssue bounds the transcript tail the issue document carries.
const recentEventsInIssue = 20

// Issue is the document of GET /api/v1/issues/{identifier}.
type Issue struct {
	IssueIdentifier string         `json:"issue_identifier"`
	IssueID         string         `json:"issue_id"`
	RepoKey         string         `json:"repo_key"`
	Status          string         `json:"status"`
	Workspace       *WorkspaceJSON `json:"workspace"`
	Attempts        AttemptsJSON   `json:"attempts"`
	Running         *RunningJSON   `json:"running"`
	Queued          *QueuedJSON    `json:"queued"`
	Retry           *RetryJSON     `json:"retry"`
	Watching        *WatchingJSON  `json:"watching"`
	Held            *HeldJSON      `json:"held"`
	// Gate is set while the issue gate holds the issue (status awaiting_clarification or skipped).
	Gate *GateJSON `json:"gate"`
	// AwaitingInput is set while the issue waits for a human's answer (status awaiting_input).
	AwaitingInput *AwaitingJSON                  `json:"awaiting_input"`
	RecentEvents  []orchestrator.TranscriptEvent `json:"recent_events"`
	LastError     string                         `json:"last_error"`
}

// WorkspaceJSON locates an issue's workspace.
type WorkspaceJSON struct {
	Path string `json:"path"`
}

// AttemptsJSON counts an issue's attempts: restarts so far and the retry in progress or due.
type AttemptsJSON struct {
	RestartCount        int `json:"restart_count"`
	CurrentRetryAttempt int `json:"current_retry_attempt"`
}

// Transcript is the document of GET /api/v1/issues/{identifier}/transcript.
type Transcript struct {
	IssueID         string                         `json:"issue_id"`
	IssueIdentifier string                         `json:"issue_identifier"`
	RepoKey         string                         `json:"repo_key"`
	Status          string                         `json:"status"`
	SessionID       string                         `json:"session_id"`
	TurnCount       int                            `json:"turn_count"`
	Tokens          *Tokens                        `json:"tokens"`
	Events          []orchestrator.TranscriptEvent `json:"events"`
}

// issueOf finds the issue in the snapshot by identifier or id: running, then queued, retrying,
// held, held by the issue gate and watching, the order in which it is most alive.
func issueOf(s *orchestrator.Snapshot, key string) (Issue, bool) {
	match := func(id, identifier string) bool { return id == key || identifier == key }
	var is Issue
	found := false
	set := func(id, identifier, repoKey, status string) {
		if !found {
			is.IssueID, is.IssueIdentifier, is.RepoKey, is.Status, found = id, identifier, repoKey, status, true
		}
	}
	for _, r := range s.Running {
		if match(r.IssueID, r.Identifier) {
			j := runningOf(r)
			is.Running = &j
			is.Workspace = &WorkspaceJSON{Path: r.Workspace}
			is.Attempts = AttemptsJSON{RestartCount: max(r.Attempt-1, 0), CurrentRetryAttempt: r.Attempt}
			set(r.IssueID, r.Identifier, r.RepoKey, "running")
		}
	}
	for _, q := range s.Queued {
		if match(q.IssueID, q.Identifier) {
			is.Queued = &QueuedJSON{RepoKey: q.RepoKey, IssueID: q.IssueID, IssueIdentifier: q.Identifier, State: q.State,
				Attempt: q.Attempt, Continuation: q.Continuation}
			set(q.IssueID, q.Identifier, q.RepoKey, "queued")
		}
	}
	for _, r := range s.Retrying {
		if match(r.IssueID, r.Identifier) {
			j := retryOf(r)
			is.Retry = &j
			is.LastError = r.Error
			if is.Running == nil {
				is.Attempts = AttemptsJSON{RestartCount: max(r.Attempt-1, 0), CurrentRetryAttempt: r.Attempt}
			}
			set(r.IssueID, r.Identifier, r.RepoKey, "retrying")
		}
	}
	for _, h := range s.Held {
		if match(h.IssueID, h.Identifier) {
			is.Held = &HeldJSON{RepoKey: h.RepoKey, IssueID: h.IssueID, IssueIdentifier: h.Identifier, Reason: h.Reason}
			set(h.IssueID, h.Identifier, h.RepoKey, "held")
		}
	}
	for _, a := range s.AwaitingInput {
		if match(a.IssueID, a.Identifier) {
			is.AwaitingInput = &AwaitingJSON{RepoKey: a.RepoKey, IssueID: a.IssueID, IssueIdentifier: a.Identifier,
				Question: a.Question, AskedAt: a.AskedAt, Resuming: a.Resuming}
			set(a.IssueID, a.Identifier, a.RepoKey, "awaiting_input")
		}
	}
	for status, rows := range map[string][]orchestrator.GateRow{"awaiting_clarification": s.AwaitingClarification, "skipped": s.Skipped} {
		for _, g := range rows {
			if match(g.IssueID, g.Identifier) {
				j := gateRowsOf([]orchestrator.GateRow{g}, map[string]bool{})[0]
				is.Gate = &j
				set(g.IssueID, g.Identifier, g.RepoKey, status)
			}
		}
	}
	for _, w := range s.Watching {
		if match(w.IssueID, w.Identifier) {
			j := watchingOf(w, s.At)
			is.Watching = &j
			set(w.IssueID, w.Identifier, w.RepoKey, "watching")
		}
	}
	if !found {
		return Issue{}, false
	}
	if is.LastError == "" {
		for i := len(s.History) - 1; i >= 0; i-- {
			if h := s.History[i]; h.IssueID == is.IssueID {
				is.LastError = h.Error
				break
			}
		}
	}
	return is, true
}

func (s *Server) getIssue(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("identifier")
	is, ok := issueOf(s.opts.Orchestrator.Snapshot(), key)
	if !ok {
		writeError(w, http.StatusNotFound, codeIssueNotFound, "issue "+key+" is not running, queued, retrying, held, gated or watched")
		return
	}
	is.RecentEvents = []orchestrator.TranscriptEvent{}
	if tr, ok := s.opts.Orchestrator.Transcript(is.IssueID); ok {
		is.RecentEvents = tr.Events[max(len(tr.Events)-recentEventsInIssue, 0):]
	}
	writeJSON(w, http.StatusOK, is)
}

func (s *Server) getTranscript(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("identifier")
	tr, ok := s.opts.Orchestrator.Transcript(key)
	if !ok {
		writeError(w, http.StatusNotFound, codeTranscriptNotFound, "no agent events recorded for issue "+key)
		return
	}
	doc := Transcript{IssueID: tr.IssueID, IssueIdentifier: tr.Identifier, RepoKey: tr.RepoKey, Status: "finished", Events: tr.Events}
	if is, ok := issueOf(s.opts.Orchestrator.Snapshot(), tr.IssueID); ok {
		doc.Status = is.Status
		if is.Running != nil {
			doc.SessionID, doc.TurnCount, doc.Tokens = is.Running.SessionID, is.Running.TurnCount, &is.Running.Tokens
		}
	}
	writeJSON(w, http.StatusOK, doc)
}
