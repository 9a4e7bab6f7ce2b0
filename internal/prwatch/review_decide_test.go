package prwatch

import (
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/github"
)

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func openPR() github.PullRequest {
	yes := true
	return github.PullRequest{Number: 7, State: github.PullRequestOpen, URL: "https://github.com/acme/web/pull/7", Author: "symphony-bot",
		HeadRef: "auto/ABC-1", HeadSHA: "h1", BaseRef: "main", BaseSHA: "b1", HeadRepo: "acme/web", BaseRepo: "acme/web", Mergeable: &yes,
		UpdatedAt: t0}
}

func TestDecideReviewTable(t *testing.T) {
	no := false
	rules := reviewRules{ReworkDelay: 10 * time.Minute, StaleAfter: 7 * 24 * time.Hour, Ignored: []string{"symphony-bot", "ci-bot"}}
	later := t0.Add(time.Hour)
	comment := Comment{ID: "11", Kind: kindComment, Author: "alice", Body: "please rename", CreatedAt: t0.Add(time.Minute)}
	cr := github.Review{ID: 5, Author: "bob", State: "CHANGES_REQUESTED", Body: "needs tests", SubmittedAt: t0.Add(2 * time.Minute)}
	approve := github.Review{ID: 6, Author: "bob", State: "APPROVED", SubmittedAt: t0.Add(3 * time.Minute)}
	with := func(change func(*github.PullRequest)) github.PullRequest {
		pr := openPR()
		change(&pr)
		return pr
	}
	fork := func(pr *github.PullRequest) { pr.HeadRepo = "someone/web" }
	dirty := func(pr *github.PullRequest) { pr.Mergeable = &no }
	tests := []struct {
		name   string
		rec    reviewRecord
		view   reviewView
		guards reviewGuards
		row    string
		phase  string
		action string
		clean  bool
		esc    bool
	}{
		{name: "merged cleans up", view: reviewView{PR: with(func(p *github.PullRequest) { p.State = github.PullRequestMerged })}, row: "merged", clean: true},
		{name: "closed cleans up", view: reviewView{PR: with(func(p *github.PullRequest) { p.State = github.PullRequestClosed })}, row: "closed", clean: true},
		{name: "conflict dispatches", view: reviewView{PR: with(dirty)}, row: "conflict", action: actionConflict},
		{name: "dirty merge state is a conflict too", view: reviewView{PR: with(func(p *github.PullRequest) { p.MergeableState = "dirty" })}, row: "conflict", action: actionConflict},
		{name: "conflict from a fork is refused", view: reviewView{PR: with(func(p *github.PullRequest) { dirty(p); fork(p) })}, row: "conflict", phase: phaseForkRefused},
		{name: "conflict key already sent", rec: reviewRecord{ConflictKeys: []string{"h1|b1"}, ConflictRetries: 1}, view: reviewView{PR: with(dirty)}, row: "conflict", phase: phaseWatching},
		{name: "conflict while a run is active", view: reviewView{PR: with(dirty)}, guards: reviewGuards{RunActive: true}, row: "conflict", phase: phaseConflictActiveRun},
		{name: "fourth conflict escalates", rec: reviewRecord{ConflictRetries: 3, ConflictKeys: []string{"a|b", "c|d", "e|f"}}, view: reviewView{PR: with(dirty)}, row: "conflict", action: actionConflict, esc: true},
		{name: "escalated conflict stays escalated", rec: reviewRecord{watch: watch{Phase: phaseConflictEscalated}, ConflictRetries: 3}, view: reviewView{PR: with(dirty)}, row: "conflict", phase: phaseConflictEscalated},
		{name: "conflict while paused is deferred", view: reviewView{PR: with(dirty)}, guards: reviewGuards{Paused: true}, row: "conflict", phase: "conflict_deferred"},
		{name: "changes requested reworks", view: reviewView{PR: openPR(), Reviews: []github.Review{cr}}, row: "changes_requested", action: actionRework},
		{name: "changes requested by an ignored reviewer does nothing", view: reviewView{PR: openPR(), Reviews: []github.Review{{ID: 9, Author: "CI-Bot", State: "CHANGES_REQUESTED", SubmittedAt: t0}}}, row: "otherwise", phase: phaseWatching},
		{name: "changes requested on a fork is refused", view: reviewView{PR: with(fork), Reviews: []github.Review{cr}}, row: "changes_requested", phase: phaseForkRefused},
		{name: "cooldown", view: reviewView{PR: openPR(), Reviews: []github.Review{cr}}, guards: reviewGuards{Now: cr.SubmittedAt.Add(5 * time.Minute)}, row: "changes_requested", phase: phaseCoolingDown},
		{name: "CI owns the issue", view: reviewView{PR: openPR(), Reviews: []github.Review{cr}}, guards: reviewGuards{CIOwned: true}, row: "changes_requested", phase: phaseCIOwned},
		{name: "already handled", rec: reviewRecord{watch: watch{Phase: phaseWatching, LastAction: actionRework, LastActionAt: t0.Add(30 * time.Minute)}}, view: reviewView{PR: openPR(), Reviews: []github.Review{cr}}, row: "changes_requested", phase: phaseWatching},
		{name: "rework while paused is deferred", view: reviewView{PR: openPR(), Comments: []Comment{comment}}, guards: reviewGuards{Paused: true}, row: "new_comments", phase: "rework_deferred"},
		{name: "approval wins over later comments and merges", view: reviewView{PR: openPR(), Reviews: []github.Review{cr, approve}, Comments: []Comment{comment}}, row: "approved", action: actionMerge},
		{name: "approval already handled", rec: reviewRecord{watch: watch{Phase: "merge_requested", LastAction: actionMerge, LastActionAt: later}}, view: reviewView{PR: openPR(), Reviews: []github.Review{approve}}, row: "approved", phase: "merge_requested"},
		{name: "new comment reworks", view: reviewView{PR: openPR(), Comments: []Comment{comment}}, row: "new_comments", action: actionRework},
		{name: "the author's own comment is not feedback", view: reviewView{PR: openPR(), Comments: []Comment{{ID: "12", Author: "Symphony-Bot", Body: "done", CreatedAt: t0}}}, row: "otherwise", phase: phaseWatching},
		{name: "blank comment is not feedback", view: reviewView{PR: openPR(), Comments: []Comment{{ID: "13", Author: "alice", Body: "  ", CreatedAt: t0}}}, row: "otherwise", phase: phaseWatching},
		{name: "comment before the cursor is addressed", rec: reviewRecord{LastAddressedCommentID: "11"}, view: reviewView{PR: openPR(), Comments: []Comment{comment}}, row: "otherwise", phase: phaseWatching},
		{name: "deleted cursor comment falls back to its time", rec: reviewRecord{LastAddressedCommentID: "10", LastAddressedCommentAt: comment.CreatedAt}, view: reviewView{PR: openPR(), Comments: []Comment{comment}}, row: "otherwise", phase: phaseWatching},
		{name: "deleted cursor comment still lets later comments through", rec: reviewRecord{LastAddressedCommentID: "10", LastAddressedCommentAt: t0}, view: reviewView{PR: openPR(), Comments: []Comment{comment}}, row: "new_comments", action: actionRework},
		{name: "idle PR is stale", view: reviewView{PR: openPR()}, guards: reviewGuards{Now: t0.Add(8 * 24 * time.Hour)}, row: "stale", clean: true},
		{name: "quiet PR is watched", view: reviewView{PR: openPR()}, row: "otherwise", phase: phaseWatching},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.guards.Now.IsZero() {
				tc.guards.Now = later
			}
			if tc.rec.Phase == "" {
				tc.rec.Phase = phaseWatching
			}
			d := decideReview(tc.rec, tc.view, tc.guards, rules)
			if d.Row != tc.row || d.Phase != tc.phase || d.Action != tc.action || d.Cleanup != tc.clean || d.Escalate != tc.esc {
				t.Fatalf("decision = %+v, want row %q phase %q action %q cleanup %v escalate %v", d, tc.row, tc.phase, tc.action, tc.clean, tc.esc)
			}
		})
	}
}

func TestReworkCommentsIncludeChangeRequestBodiesOnce(t *testing.T) {
	cr := github.Review{ID: 5, Author: "bob", State: "CHANGES_REQUESTED", Body: "needs tests", SubmittedAt: t0.Add(time.Minute)}
	inline := Comment{ID: "21", Kind: kindInline, Author: "bob", Body: "typo", Path: "a.go", Line: 3, CreatedAt: t0.Add(time.Minute)}
	d := decideReview(reviewRecord{watch: watch{Phase: phaseWatching}}, reviewView{PR: openPR(), Reviews: []github.Review{cr}, Comments: []Comment{inline}},
		reviewGuards{Now: t0.Add(time.Hour)}, reviewRules{ReworkDelay: time.Minute, StaleAfter: time.Hour * 100})
	if d.Action != actionRework || len(d.Comments) != 2 || d.Comments[0].ID != "21" || d.Comments[1].ID != "review-5" || d.Comments[1].Body != "needs tests" {
		t.Fatalf("decision = %+v", d)
	}
}

func TestConflictContextCarriesTheKeyAndAttempt(t *testing.T) {
	no := false
	pr := openPR()
	pr.Mergeable = &no
	d := decideReview(reviewRecord{watch: watch{Phase: phaseWatching}, ConflictRetries: 1, ConflictKeys: []string{"h0|b0"}}, reviewView{PR: pr}, reviewGuards{Now: t0}, reviewRules{})
	c := d.Conflict
	if c == nil || c.Key != "h1|b1" || c.Attempt != 2 || c.MaxRetries != 3 || c.Mergeable != "CONFLICTING" || c.HeadRef != "auto/ABC-1" {
		t.Fatalf("conflict = %+v", c)
	}
}
