package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/orchestrator"
)

// maxControlBody bounds a control request's JSON body.
const maxControlBody = 64 << 10

// DefaultPauseReason is recorded when a pause names no reason.
const DefaultPauseReason = "paused by operator"

// snapshotWait bounds how long a control answer waits for the loop to publish the change it
// just made (the loop publishes right after it handles a request, so this is a backstop).
const snapshotWait = 2 * time.Second

// PauseRequest is the optional body of POST /api/v1/control/pause.
type PauseRequest struct {
	Reason string `json:"reason"`
}

// IssueRequest is the body of POST /api/v1/control/stop and /unstop.
type IssueRequest struct {
	IssueIdentifier string `json:"issue_identifier"`
}

// StopResponse answers POST /api/v1/control/stop.
type StopResponse struct {
	Stopped         bool   `json:"stopped"`
	IssueIdentifier string `json:"issue_identifier"`
}

// UnstopResponse answers POST /api/v1/control/unstop.
type UnstopResponse struct {
	Unstopped       bool   `json:"unstopped"`
	IssueIdentifier string `json:"issue_identifier"`
}

// RefreshResponse answers POST /api/v1/control/refresh.
type RefreshResponse struct {
	Queued      bool      `json:"queued"`
	RequestedAt time.Time `json:"requested_at"`
	Operations  []string  `json:"operations"`
}

// decodeBody reads an optional JSON object into v; an empty body leaves v as it is.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxControlBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	if err != nil && !errors.Is(err, io.EOF) {
		writeError(w, http.StatusUnprocessableEntity, codeInvalidRequest, "request body: "+err.Error())
		return false
	}
	return true
}

// controlFailed answers an orchestrator refusal with its status and code.
func controlFailed(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, orchestrator.ErrNotPaused):
		writeError(w, http.StatusConflict, codeNotPaused, err.Error())
	case errors.Is(err, orchestrator.ErrIssueNotActive):
		writeError(w, http.StatusNotFound, codeIssueNotActive, err.Error())
	case errors.Is(err, orchestrator.ErrIssueNotHeld):
		writeError(w, http.StatusConflict, codeIssueNotHeld, err.Error())
	case errors.Is(err, orchestrator.ErrIssueStopping):
		writeError(w, http.StatusConflict, codeIssueStopping, err.Error())
	default:
		// Not running, shutting down or not answering in time: the service cannot act now.
		writeError(w, http.StatusServiceUnavailable, codeUnavailable, err.Error())
	}
}

// awaitSnapshot waits until the published snapshot satisfies ok, and returns it (the latest
// one when the wait runs out).
func (s *Server) awaitSnapshot(ok func(*orchestrator.Snapshot) bool) *orchestrator.Snapshot {
	deadline := time.NewTimer(snapshotWait)
	defer deadline.Stop()
	for {
		changed := s.opts.Orchestrator.Published()
		snap := s.opts.Orchestrator.Snapshot()
		if ok(snap) {
			return snap
		}
		select {
		case <-changed:
		case <-deadline.C:
			return s.opts.Orchestrator.Snapshot()
		}
	}
}

func pauseOf(s *orchestrator.Snapshot) PauseJSON {
	return PauseJSON{Paused: s.Paused, Reason: s.PauseReason, PausedAt: timePtr(s.PausedSince)}
}

func (s *Server) postPause(w http.ResponseWriter, r *http.Request) {
	var req PauseRequest
	if !decodeBody(w, r, &req) {
		return
	}
	reason := strings.TrimSpace(req.Reason)
	if reason == "" {
		reason = DefaultPauseReason
	}
	if err := s.opts.Orchestrator.Pause(reason); err != nil {
		controlFailed(w, err)
		return
	}
	snap := s.awaitSnapshot(func(sn *orchestrator.Snapshot) bool { return sn.Paused && sn.PauseReason == reason })
	writeJSON(w, http.StatusOK, pauseOf(snap))
}

func (s *Server) postResume(w http.ResponseWriter, r *http.Request) {
	if !decodeBody(w, r, &struct{}{}) {
		return
	}
	if err := s.opts.Orchestrator.Resume(); err != nil {
		controlFailed(w, err)
		return
	}
	snap := s.awaitSnapshot(func(sn *orchestrator.Snapshot) bool { return !sn.Paused })
	writeJSON(w, http.StatusOK, pauseOf(snap))
}

func issueFromBody(w http.ResponseWriter, r *http.Request) (string, bool) {
	var req IssueRequest
	if !decodeBody(w, r, &req) {
		return "", false
	}
	id := strings.TrimSpace(req.IssueIdentifier)
	if id == "" {
		writeError(w, http.StatusUnprocessableEntity, codeInvalidRequest, `the body must name the issue: {"issue_identifier":"ENG-1"}`)
		return "", false
	}
	return id, true
}

func (s *Server) postStop(w http.ResponseWriter, r *http.Request) {
	id, ok := issueFromBody(w, r)
	if !ok {
		return
	}
	if err := s.opts.Orchestrator.StopIssue(id); err != nil {
		controlFailed(w, err)
		return
	}
	writeJSON(w, http.StatusOK, StopResponse{Stopped: true, IssueIdentifier: id})
}

func (s *Server) postUnstop(w http.ResponseWriter, r *http.Request) {
	id, ok := issueFromBody(w, r)
	if !ok {
		return
	}
	if err := s.opts.Orchestrator.Unstop(id); err != nil {
		controlFailed(w, err)
		return
	}
	writeJSON(w, http.StatusOK, UnstopResponse{Unstopped: true, IssueIdentifier: id})
}

func (s *Server) postRefresh(w http.ResponseWriter, r *http.Request) {
	if !decodeBody(w, r, &struct{}{}) {
		return
	}
	at := s.opts.Now().UTC()
	if err := s.opts.Orchestrator.RefreshNow(); err != nil {
		controlFailed(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, RefreshResponse{Queued: true, RequestedAt: at, Operations: []string{"poll", "reconcile"}})
}
