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
		var reviewHead string
		rows, err := s.PRWatches(ctx, "")
		if err != nil {
			return out, err
		}
		for _, row := range rows {
			if row.RepoKey != iss.RepoKey || row.IssueID != iss.ID {
				continue
			}
			head, err := addContext(&out, row.Poller, row.Record)
			if err != nil {
				return out, fmt.Errorf("pr_watch row %s/%s/%s: %w", row.RepoKey, row.IssueID, row.Poller, err)
			}
			reviewHead += head
		}
		// A CI failure on a commit after the one the review comments were left on means the
		// rework was pushed: those comments are addressed, even if the review poller has not
		// settled them yet, and the fix run must not be sent after them again.
		if out.CIFailure != nil && reviewHead != "" && out.CIFailure.CommitSHA != reviewHead {
			out.ReviewerComments = nil
		}
		return out, nil
	}
}

// addContext adds one poller's pending context to out; for review comments it returns the
// head they were left on.
func addContext(out *orchestrator.RunContext, poller string, data json.RawMessage) (reviewHead string, err error) {
	switch poller {
	case pollerReview:
		var rec reviewRecord
		if err := json.Unmarshal(data, &rec); err != nil {
			return "", err
		}
		switch rec.Phase {
		case pendingPhase(actionRework), requestedPhase(actionRework):
			out.ReviewerComments = promptComments(rec.PendingComments)
			out.HeadRef = rec.HeadRef
			reviewHead = rec.PendingHeadSHA
		case pendingPhase(actionConflict), requestedPhase(actionConflict):
			out.Conflict = rec.Conflict
			out.HeadRef = rec.HeadRef
		}
	case pollerCI:
		var rec ciRecord
		if err := json.Unmarshal(data, &rec); err != nil {
			return "", err
		}
		if rec.Phase == pendingPhase(actionCIFix) || rec.Phase == requestedPhase(actionCIFix) {
			out.CIFailure = rec.Failure
			out.HeadRef = rec.HeadRef
		}
	}
	return reviewHead, nil
}

func promptComments(in []Comment) []prompt.ReviewerComment {
	out := make([]prompt.ReviewerComment, 0, len(in))
	for _, c := range in {
		created := c.CreatedAt
		out = append(out, prompt.ReviewerComment{ID: c.ID, Kind: c.Kind, Author: c.Author, Body: c.Body, URL: c.URL, Path: c.Path, Line: c.Line, CreatedAt: &created})
	}
	return out
}
