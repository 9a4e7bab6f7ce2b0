package server

import (
	"cmp"
	"net/http"

	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/store"
)

// issuePageRuns bounds the attempts the issue page lists.
const issuePageRuns = 50

// issueView is what /issues/{identifier} renders: where the issue stands now, its attempts
// from the run store, and the live transcript the service keeps for it.
type issueView struct {
	page
	Identifier string
	Title      string
	URL        string
	PRURL      string
	Workspace  string
	// Host is the SSH worker host of the live attempt, else of the newest stored run; "" for
	// this machine.
	Host string
	// Live is the issue's place in the current snapshot; Live.Status is "" when the service
	// holds it nowhere now.
	Live       Issue
	Runs       []store.Run
	RunsError  string
	Transcript []orchestrator.TranscriptEvent
}

func (s *Server) getIssuePage(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("identifier")
	snap := s.opts.Orchestrator.Snapshot()
	v := issueView{page: s.page(key, "issue", snap.At), Identifier: key}
	live, inSnapshot := issueOf(snap, key)
	if inSnapshot {
		v.Live, v.Identifier = live, live.IssueIdentifier
		if live.Running != nil {
			v.Title, v.URL, v.PRURL, v.Workspace = live.Running.Title, live.Running.URL, live.Running.PRURL, live.Running.WorkspacePath
			v.Host = live.Running.WorkerHost
		}
		if live.Watching != nil && v.URL == "" {
			v.URL = live.Watching.URL
		}
	}
	tr, hasTranscript := s.opts.Orchestrator.Transcript(key)
	if hasTranscript {
		v.Transcript, v.Identifier = tr.Events, tr.Identifier
	}
	runs, err := s.opts.Runs.Runs(r.Context(), store.RunFilter{Issue: key, Limit: issuePageRuns})
	if err != nil {
		s.opts.Logger.Error("dashboard: reading run history failed", "issue_identifier", key, "error", err.Error())
		v.RunsError = "reading run history failed: " + err.Error()
	}
	v.Runs = runs
	for _, run := range runs {
		if !inSnapshot && !hasTranscript {
			v.Identifier = run.IssueIdentifier
		}
		v.Title = cmp.Or(v.Title, run.IssueTitle)
		v.PRURL = cmp.Or(v.PRURL, run.PRURL)
		v.Workspace = cmp.Or(v.Workspace, run.WorkspacePath)
		v.Host = cmp.Or(v.Host, run.WorkerHost)
	}
	if !inSnapshot && !hasTranscript && len(runs) == 0 && err == nil {
		s.pageNotFound(w, "Symphony has no record of issue "+key+": it is not running, queued, retrying, held or watched, and no run of it is stored.")
		return
	}
	v.Title = cmp.Or(v.Title, v.Identifier)
	v.page.Title = v.Identifier
	s.renderPage(w, http.StatusOK, "issue.html", v)
}
