package prwatch

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/github/githubtest"
	"github.com/symphony-go/symphony/internal/store"
)

func TestReviewCommentReworksAfterTheCooldownAndSettlesOnlyOnceTheHeadAdvances(t *testing.T) {
	h := newHarness(t)
	s := h.settings()
	s.ReplyAfter = true
	p := h.pollers(s, h.tr, h.st)
	ctx := context.Background()

	p.reviewCycle(ctx)
	if got := h.row(pollerReview).Phase; got != phaseWatching {
		t.Fatalf("quiet PR phase = %q", got)
	}
	h.clock.Advance(time.Minute)
	c := h.gh.AddReviewComment(fullName, githubtest.ReviewComment{Number: 1, Author: "alice", Body: "rename foo to bar", Path: "a.go", Line: 3})
	p.reviewCycle(ctx)
	if got := h.row(pollerReview).Phase; got != phaseCoolingDown || h.state() != "In Review" {
		t.Fatalf("within the cooldown: phase %q, issue %q", got, h.state())
	}
	h.clock.Advance(10 * time.Minute)
	p.reviewCycle(ctx)
	if got := h.row(pollerReview).Phase; got != requestedPhase(actionRework) || h.state() != "In Progress" {
		t.Fatalf("after the cooldown: phase %q, issue %q", got, h.state())
	}
	rc := h.runContext()
	if len(rc.ReviewerComments) != 1 || rc.ReviewerComments[0].Body != "rename foo to bar" || rc.ReviewerComments[0].Path != "a.go" || rc.HeadRef != head {
		t.Fatalf("run context = %+v", rc)
	}

	// The rework run ends without pushing: the comment stays pending and is not answered.
	h.setState("In Review")
	h.clock.Advance(time.Minute)
	p.reviewCycle(ctx)
	var rec reviewRecord
	mustDecode(t, h.row(pollerReview).Record, &rec)
	if len(rec.PendingComments) != 1 || rec.LastAddressedCommentID != "" || h.events.count("rework_not_pushed") != 1 || h.state() != "In Review" {
		t.Fatalf("head not advanced: record %+v, events %v, issue %q", rec, h.events.kinds, h.state())
	}
	if n := len(h.gh.ReviewComments(fullName, 1)); n != 1 {
		t.Fatalf("a reply was posted although nothing was pushed: %d comments", n)
	}

	// New feedback starts a second rework; this time the run pushes.
	h.clock.Advance(time.Minute)
	h.gh.AddIssueComment(fullName, githubtest.IssueComment{Number: 1, Author: "alice", Body: "and add a test"})
	h.clock.Advance(11 * time.Minute)
	p.reviewCycle(ctx)
	if h.state() != "In Progress" || len(h.runContext().ReviewerComments) != 2 {
		t.Fatalf("second rework: issue %q, context %+v", h.state(), h.runContext())
	}
	h.gh.SetBranch(fullName, head, sha2)
	h.setState("In Review")
	h.clock.Advance(time.Minute)
	p.reviewCycle(ctx)
	rec = reviewRecord{}
	mustDecode(t, h.row(pollerReview).Record, &rec)
	if len(rec.PendingComments) != 0 || rec.AddressedSHA != sha2 || h.events.count("rework_pushed") != 1 || h.state() != "In Review" {
		t.Fatalf("after the push: record %+v, events %v, issue %q", rec, h.events.kinds, h.state())
	}
	replies := h.gh.ReviewComments(fullName, 1)
	if len(replies) != 2 || replies[1].InReplyTo != c.ID || !strings.Contains(replies[1].Body, sha2) {
		t.Fatalf("inline replies = %+v", replies)
	}
	if len(h.gh.IssueComments(fullName, 1)) != 2 {
		t.Fatalf("no summary reply for the conversation comment: %+v", h.gh.IssueComments(fullName, 1))
	}
	if len(h.runContext().ReviewerComments) != 0 {
		t.Fatalf("a settled rework still hands out comments: %+v", h.runContext())
	}
	// The agent's own replies are not feedback: nothing more happens.
	h.clock.Advance(time.Hour)
	p.reviewCycle(ctx)
	if h.state() != "In Review" || h.row(pollerReview).Phase != phaseWatching {
		t.Fatalf("after settling: issue %q, phase %q", h.state(), h.row(pollerReview).Phase)
	}
}

func TestTransitionErrorIsRetriedNextCycle(t *testing.T) {
	h := newHarness(t)
	p := h.pollers(h.settings(), h.tr, h.st)
	ctx := context.Background()
	h.gh.AddReview(fullName, githubtest.Review{Number: 1, Author: "bob", State: "CHANGES_REQUESTED", Body: "no"})
	h.clock.Advance(time.Hour)
	h.tr.FailNext(nil, errors.New("tracker down"))
	p.reviewCycle(ctx)
	if got := h.row(pollerReview); got.Phase != phaseTransitionError || h.state() != "In Review" {
		t.Fatalf("after the failed update: phase %q, issue %q", got.Phase, h.state())
	}
	h.clock.Advance(time.Minute)
	p.reviewCycle(ctx)
	if got := h.row(pollerReview); got.Phase != requestedPhase(actionRework) || h.state() != "In Progress" {
		t.Fatalf("on the next cycle: phase %q, issue %q", got.Phase, h.state())
	}
}

func TestCrashAtEachWriteAheadStepOfAReworkCompletesItOnce(t *testing.T) {
	for _, at := range []string{"before", "after"} {
		t.Run(at+" the tracker call", func(t *testing.T) {
			h := newHarness(t)
			h.gh.AddIssueComment(fullName, githubtest.IssueComment{Number: 1, Author: "alice", Body: "fix the typo"})
			h.clock.Advance(time.Hour)
			ct := &countingTracker{Tracker: h.tr, crash: at}
			crashing(t, func() { h.pollers(h.settings(), ct, h.st).reviewCycle(context.Background()) })
			if got := h.row(pollerReview).Phase; got != pendingPhase(actionRework) {
				t.Fatalf("after the crash: phase %q", got)
			}
			if len(h.runContext().ReviewerComments) != 1 {
				t.Fatalf("the pending transition already carries its comments for a dispatch: %+v", h.runContext())
			}
			restarted := &countingTracker{Tracker: h.tr}
			h.st = h.openStore()
			p := h.pollers(h.settings(), restarted, h.st)
			p.reviewCycle(context.Background())
			p.reviewCycle(context.Background())
			if got := h.row(pollerReview).Phase; got != requestedPhase(actionRework) || h.state() != "In Progress" {
				t.Fatalf("after the restart: phase %q, issue %q", got, h.state())
			}
			if total := ct.updates + restarted.updates; total != 1 {
				t.Fatalf("tracker updates = %d, want exactly 1", total)
			}
			if n := h.events.count(requestedPhase(actionRework)); n != 1 {
				t.Fatalf("rework_requested events = %d", n)
			}
		})
	}
}

func TestConflictRunsAreDedupedByKeyAndEscalateAfterThree(t *testing.T) {
	h := newHarness(t)
	no := false
	h.gh.UpdatePullRequest(fullName, 1, func(p *githubtest.PullRequest) { p.Mergeable = &no })
	p := h.pollers(h.settings(), h.tr, h.st)
	ctx := context.Background()
	for i, sha := range []string{sha1, sha2, sha3} {
		h.gh.SetBranch(fullName, head, sha)
		p.reviewCycle(ctx)
		if h.state() != "In Progress" {
			t.Fatalf("conflict %d did not send the issue back", i+1)
		}
		if c := h.runContext().Conflict; c == nil || c.Key != sha+"|b000000000000000000000000000000000000000" || c.Attempt != i+1 {
			t.Fatalf("conflict %d context = %+v", i+1, c)
		}
		h.setState("In Review")
		p.reviewCycle(ctx)
		if h.state() != "In Review" {
			t.Fatalf("the same conflict key was sent twice (attempt %d)", i+1)
		}
	}
	h.gh.SetBranch(fullName, head, "4444444444444444444444444444444444444444")
	p.reviewCycle(ctx)
	if got := h.row(pollerReview).Phase; got != phaseConflictEscalated || h.state() != "Needs Human" {
		t.Fatalf("fourth conflict: phase %q, issue %q", got, h.state())
	}
}

func TestPausedDefersAndCIOwnershipBlocksRework(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	p := h.pollers(h.settings(), h.tr, h.st)
	h.gh.AddIssueComment(fullName, githubtest.IssueComment{Number: 1, Author: "alice", Body: "please fix"})
	h.clock.Advance(time.Hour)
	if err := h.st.SetPause(ctx, storePause(true)); err != nil {
		t.Fatal(err)
	}
	p.reviewCycle(ctx)
	if got := h.row(pollerReview).Phase; got != deferredPhase(actionRework) || h.state() != "In Review" {
		t.Fatalf("paused: phase %q, issue %q", got, h.state())
	}
	if err := h.st.SetPause(ctx, storePause(false)); err != nil {
		t.Fatal(err)
	}
	ci, _ := json.Marshal(ciRecord{watch: watch{RepoKey: "web", IssueID: "i1", Phase: phaseEscalated}})
	if err := h.st.PutPRWatch(ctx, storeRow(pollerCI, phaseEscalated, ci)); err != nil {
		t.Fatal(err)
	}
	p.reviewCycle(ctx)
	if got := h.row(pollerReview).Phase; got != phaseCIOwned || h.state() != "In Review" {
		t.Fatalf("CI-owned: phase %q, issue %q", got, h.state())
	}
}

func TestGitHubErrorsBackOffReportDegradedThenRecovered(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	p := h.pollers(h.settings(), h.tr, h.st)
	h.gh.Inject(githubtest.Fault{Path: "/repos/acme/web/pulls/1", Status: 404, Times: 3})
	for range 3 {
		p.reviewCycle(ctx)
		var rec reviewRecord
		mustDecode(t, h.row(pollerReview).Record, &rec)
		h.clock.Advance(rec.NextPollAt.Sub(h.clock.Now()))
	}
	if h.events.count("poller_degraded") != 1 {
		t.Fatalf("events = %v", h.events.kinds)
	}
	p.reviewCycle(ctx)
	var rec reviewRecord
	mustDecode(t, h.row(pollerReview).Record, &rec)
	if h.events.count("poller_recovered") != 1 || rec.ConsecutiveErrors != 0 || rec.Degraded {
		t.Fatalf("after recovery: events %v, record %+v", h.events.kinds, rec)
	}
}

func TestMergedPullRequestIsForgottenOnce(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	p := h.pollers(h.settings(), h.tr, h.st)
	p.reviewCycle(ctx)
	p.ciCycle(ctx)
	h.gh.UpdatePullRequest(fullName, 1, func(p *githubtest.PullRequest) { p.State = githubtest.StateMerged })
	before := len(h.gh.Requests())
	for range 3 {
		p.reviewCycle(ctx)
		p.ciCycle(ctx)
	}
	if h.row(pollerReview).Phase != "done_merged" || h.row(pollerCI).Phase != "done_merged" || h.events.count("pr_merged") != 1 {
		t.Fatalf("after the merge: review %q, ci %q, events %v", h.row(pollerReview).Phase, h.row(pollerCI).Phase, h.events.kinds)
	}
	if n := len(h.gh.Requests()) - before; n > 8 {
		t.Fatalf("%d GitHub requests for a PR already forgotten, want only the cycle that saw the merge", n)
	}
	// A later run of the issue opens a new pull request: that one is watched.
	pr := h.gh.AddPullRequest(fullName, githubtest.PullRequest{Title: "Again", Head: head, Base: "main", Author: "symphony-bot"})
	h.finishRuns()
	run, err := h.st.StartRun(ctx, store.Run{RepoKey: "web", IssueID: "i1", IssueIdentifier: "ABC-1"})
	if err != nil {
		t.Fatal(err)
	}
	url := "https://github.com/acme/web/pull/" + strconv.Itoa(pr.Number)
	if err := h.st.RecordPullRequest(ctx, "web", run.ID, url); err != nil {
		t.Fatal(err)
	}
	h.finishRuns()
	p.reviewCycle(ctx)
	if row := h.row(pollerReview); row.Phase != phaseWatching || row.PRURL != url {
		t.Fatalf("the new pull request is not watched: %+v", row)
	}
}

func TestApprovalMovesTheIssueToTheMergeStateOnce(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	p := h.pollers(h.settings(), h.tr, h.st)
	h.gh.AddReview(fullName, githubtest.Review{Number: 1, Author: "bob", State: "APPROVED"})
	p.reviewCycle(ctx)
	if h.state() != "Merging" {
		t.Fatalf("issue after approval = %q", h.state())
	}
	h.setState("In Review")
	p.reviewCycle(ctx)
	if h.state() != "In Review" || h.events.count(requestedPhase(actionMerge)) != 1 {
		t.Fatalf("a handled approval moved the issue again: %q, %v", h.state(), h.events.kinds)
	}
}

func TestForkPullRequestsAreNeverReworked(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.gh.UpdatePullRequest(fullName, 1, func(p *githubtest.PullRequest) { p.HeadRepo = "someone/web"; p.HeadSHA = sha1 })
	h.gh.AddIssueComment(fullName, githubtest.IssueComment{Number: 1, Author: "alice", Body: "please fix"})
	h.clock.Advance(time.Hour)
	h.pollers(h.settings(), h.tr, h.st).reviewCycle(ctx)
	if got := h.row(pollerReview).Phase; got != phaseForkRefused || h.state() != "In Review" {
		t.Fatalf("fork: phase %q, issue %q", got, h.state())
	}
}

func TestSkipFileSilencesListedBotCommentsOnly(t *testing.T) {
	ws := t.TempDir()
	if err := writeFile(ws, SkipFileName, `{"skip_comment_ids": ["1", 2, "3"]}`); err != nil {
		t.Fatal(err)
	}
	got := skipped(ws)
	if strings.Join(got, ",") != "1,2,3" {
		t.Fatalf("skipped = %v", got)
	}
	if skipped(ws) != nil {
		t.Fatal("the skip file was not consumed")
	}
	if !isBot("dependabot[bot]") || isBot("alice") {
		t.Fatal("isBot misclassifies")
	}
}

func TestReworkIsJudgedOnlyAfterItsRunEnds(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	p := h.pollers(h.settings(), h.tr, h.st)
	h.gh.AddIssueComment(fullName, githubtest.IssueComment{Number: 1, Author: "alice", Body: "fix the typo"})
	h.clock.Advance(time.Hour)
	p.reviewCycle(ctx)
	// The agent pushed and handed the issue back, but its run is still finishing.
	h.startRun()
	h.gh.SetBranch(fullName, head, sha2)
	h.setState("In Review")
	p.reviewCycle(ctx)
	if got := h.row(pollerReview).Phase; got != requestedPhase(actionRework) || h.events.count("rework_pushed") != 0 {
		t.Fatalf("while the run is active: phase %q, events %v", got, h.events.kinds)
	}
	h.finishRuns()
	p.reviewCycle(ctx)
	if got := h.row(pollerReview).Phase; got != phaseWatching || h.events.count("rework_pushed") != 1 {
		t.Fatalf("after the run ended: phase %q, events %v", got, h.events.kinds)
	}
}

func TestRepliesSkipListedBotCommentsButNeverHumanOnes(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	s := h.settings()
	s.ReplyAfter, s.RequestReview = true, true
	p := h.pollers(s, h.tr, h.st)
	bot := h.gh.AddReviewComment(fullName, githubtest.ReviewComment{Number: 1, Author: "lint[bot]", Body: "style nit", Path: "a.go", Line: 1})
	human := h.gh.AddReviewComment(fullName, githubtest.ReviewComment{Number: 1, Author: "alice", Body: "real bug", Path: "a.go", Line: 2})
	h.clock.Advance(time.Hour)
	p.reviewCycle(ctx)
	if h.state() != "In Progress" {
		t.Fatalf("no rework: issue %q", h.state())
	}
	runs, err := h.st.Runs(ctx, store.RunFilter{Issue: "i1"})
	if err != nil || len(runs) == 0 {
		t.Fatal(runs, err)
	}
	skip := `{"skip_comment_ids": ["` + strconv.FormatInt(bot.ID, 10) + `", "` + strconv.FormatInt(human.ID, 10) + `"]}`
	if err := writeFile(runs[0].WorkspacePath, SkipFileName, skip); err != nil {
		t.Fatal(err)
	}
	h.gh.SetBranch(fullName, head, sha2)
	h.setState("In Review")
	p.reviewCycle(ctx)
	var repliedTo []int64
	for _, c := range h.gh.ReviewComments(fullName, 1) {
		if c.InReplyTo != 0 {
			repliedTo = append(repliedTo, c.InReplyTo)
		}
	}
	if len(repliedTo) != 1 || repliedTo[0] != human.ID {
		t.Fatalf("replies went to %v, want only the human comment %d", repliedTo, human.ID)
	}
	pr, _ := h.gh.PullRequest(fullName, 1)
	if strings.Join(pr.RequestedReviewers, ",") != "alice" {
		t.Fatalf("review re-requested from %v, want alice only", pr.RequestedReviewers)
	}
}

// TestWatchRowsRecordTheRunsWorkerHost: both pollers' rows carry the SSH worker host of the
// issue's latest run, so the rework they start and its cleanup go back to that host.
func TestWatchRowsRecordTheRunsWorkerHost(t *testing.T) {
	h := newHarness(t)
	if _, err := h.st.StartRun(context.Background(), store.Run{RepoKey: "web", IssueID: "i1", IssueIdentifier: "ABC-1", WorkerHost: "build-1:2222"}); err != nil {
		t.Fatal(err)
	}
	h.finishRuns()
	p := h.pollers(h.settings(), h.tr, h.st)
	ctx := context.Background()
	p.reviewCycle(ctx)
	p.ciCycle(ctx)
	for _, poller := range []string{pollerReview, pollerCI} {
		if got := h.row(poller).WorkerHost; got != "build-1:2222" {
			t.Errorf("%s row records host %q, want build-1:2222", poller, got)
		}
	}
}
