package prwatch

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/prompt"
)

// RunContextFrom returns the orchestrator's hook that reads, when an issue's run starts,
// the comments, conflict or CI failure a poller sent it back with. Only a transition that
// is pending or done counts: the context of an older, settled one is not sent again.
func RunContextFrom(s Store) orchestrator.RunContextSource {
	return func(ctx context.Context, iss issue.Issue) (orchestrator.RunContext, error) {
		var out orchestrator.RunContext
		rows, err := s.PRWatches(ctx, "")
		if err != nil {
			return out, err
		}
		for _, row := range rows {
			if row.RepoKey != iss.RepoKey || row.IssueID != iss.ID {
				continue
			}
			if err := addContext(&out, row.Poller, row.Record); err != nil {
				return out, fmt.Errorf("pr_watch row %s/%s/%s: %w", row.RepoKey, row.IssueID, row.Poller, err)
			}
		}
		return out, nil
	}
}

func addContext(out *orchestrator.RunContext, poller string, data json.RawMessage) error {
	switch poller {
	case pollerReview:
		var rec reviewRecord
		if err := json.Unmarshal(data, &rec); err != nil {
			return err
		}
		switch rec.Phase {
		case pendingPhase(actionRework), requestedPhase(actionRework):
			out.ReviewerComments = promptComments(rec.PendingComments)
			out.HeadRef = rec.HeadRef
		case pendingPhase(actionConflict), requestedPhase(actionConflict):
			out.Conflict = rec.Conflict
			out.HeadRef = rec.HeadRef
		}
	case pollerCI:
		var rec ciRecord
		if err := json.Unmarshal(data, &rec); err != nil {
			return err
		}
		if rec.Phase == pendingPhase(actionCIFix) || rec.Phase == requestedPhase(actionCIFix) {
			out.CIFailure = rec.Failure
			out.HeadRef = rec.HeadRef
		}
	}
	return nil
}

func promptComments(in []Comment) []prompt.ReviewerComment {
	out := make([]prompt.ReviewerComment, 0, len(in))
	for _, c := range in {
		created := c.CreatedAt
		out = append(out, prompt.ReviewerComment{ID: c.ID, Kind: c.Kind, Author: c.Author, Body: c.Body, URL: c.URL, Path: c.Path, Line: c.Line, CreatedAt: &created})
	}
	return out
}
