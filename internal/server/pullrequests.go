package server

import (
	"context"
	"slices"
	"time"

	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/prwatch"
)

// prWatchReadTimeout bounds the store read that adds the pollers' rows to one state.
const prWatchReadTimeout = 5 * time.Second

// state is the state document of snap plus the pull requests the pollers watch. The rows
// are read from the store here, by the request, so the orchestrator's loop never reads them.
func (s *Server) state(ctx context.Context, snap *orchestrator.Snapshot) State {
	st := stateOf(snap)
	if s.opts.PullRequests == nil {
		return st
	}
	ctx, cancel := context.WithTimeout(ctx, prWatchReadTimeout)
	defer cancel()
	rows, err := s.opts.PullRequests.PRWatches(ctx, "")
	var watched []prwatch.Status
	if err == nil {
		watched, err = prwatch.Statuses(rows)
	}
	if err != nil {
		s.opts.Logger.Warn("reading the pull-request pollers' rows for the state failed", "error", err.Error())
		st.PullRequestsError = err.Error()
		return st
	}
	for _, w := range watched {
		if w.RepoKey != "" && !slices.Contains(st.Repos, w.RepoKey) {
			st.Repos = append(st.Repos, w.RepoKey)
		}
	}
	slices.Sort(st.Repos)
	st.PullRequests, st.Counts.PullRequests = watched, len(watched)
	return st
}
