package prwatch

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/store"
)

// A CI failure on a later commit than the one the review comments were left on means the
// rework was pushed; the fix run gets the failure alone, even before the review poller has
// settled the comments. A failure on that same commit gets both.
func TestCIFixContextLeavesOutReviewCommentsTheReworkAddressed(t *testing.T) {
	for _, c := range []struct {
		name, failedSHA string
		wantComments    bool
	}{
		{"rework pushed", "sha-rework", false},
		{"rework not pushed yet", "sha-first", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			ctx := context.Background()
			w := watch{RepoKey: "web", IssueID: "i1", Identifier: "ABC-1", PRURL: h.prURL}
			review := reviewRecord{watch: w, PendingComments: []Comment{{ID: "c1", Author: "alice", Body: "document it"}}, PendingHeadSHA: "sha-first"}
			review.Phase = requestedPhase(actionRework)
			ci := ciRecord{watch: w, Failure: &prompt.CIFailure{CommitSHA: c.failedSHA}}
			ci.Phase = requestedPhase(actionCIFix)
			for poller, rec := range map[string]any{pollerReview: review, pollerCI: ci} {
				data, err := json.Marshal(rec)
				if err != nil {
					t.Fatal(err)
				}
				if err := h.st.PutPRWatch(ctx, store.PRWatch{RepoKey: "web", IssueID: "i1", Poller: poller, PRURL: h.prURL, Phase: "x", Record: data}); err != nil {
					t.Fatal(err)
				}
			}
			rc, err := RunContextFrom(h.st)(ctx, issue.Issue{ID: "i1", RepoKey: "web"})
			if err != nil {
				t.Fatal(err)
			}
			if rc.CIFailure == nil || rc.CIFailure.CommitSHA != c.failedSHA {
				t.Fatalf("CI failure %+v", rc.CIFailure)
			}
			if got := len(rc.ReviewerComments) == 1; got != c.wantComments {
				t.Fatalf("review comments %+v, want them: %v", rc.ReviewerComments, c.wantComments)
			}
		})
	}
}
