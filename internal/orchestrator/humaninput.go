package orchestrator

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/tools"
)

// An agent that needs a human asks through request_human_input (or Codex asks for user input
// itself). Its attempt ends without a retry and the issue waits: never dispatched, however
// often it is polled, until someone other than Symphony replies after the question. Each poll
// reads the waiting issues' states and comments off the loop; a reply on an issue that is back
// in an active state starts the next attempt with the question and the replies in its prompt.
// With HumanInput.ResumeOnReply a reply also moves an issue still in the waiting state back to
// the state it asked from. The wait is recorded in the store, so a restart keeps waiting.

// HumanInput configures how questions to humans park issues (agent.human_input).
type HumanInput struct {
	// State is the waiting state request_human_input moves the issue to.
	State string
	// ResumeOnReply moves a replied-to issue still in State back to the state it asked from.
	ResumeOnReply bool
	// AcceptBotReplies counts comments by bot accounts (authors ending in "[bot]") as replies.
	AcceptBotReplies bool
}

// AwaitingRow is an issue waiting for a human's answer.
type AwaitingRow struct {
	IssueID    string
	Identifier string
	RepoKey    string
	Question   string
	AskedAt    time.Time
	// Resuming is set once a reply was seen and the issue is being moved back to work.
	Resuming bool
}

// awaitingEntry is an issue waiting for an answer, as the loop keeps it.
type awaitingEntry struct {
	row AwaitingRow
	q   store.Question
}

// replyCheck is what a poll needs to look for replies to one question.
type replyCheck struct {
	issueID string
	askedAt time.Time
	q       store.Question
}

// replyFound is a poll's answer for one waiting issue: its current state and the replies so
// far.
type replyFound struct {
	state   string
	replies []issue.Comment
}

// awaitInput parks the issue until a human replies, records the wait and notifies
// awaiting_input once per question (a wait restored after a restart is not a new question).
func (o *Orchestrator) awaitInput(is issue.Issue, e *runEntry, q agent.HumanQuestion, kept *agent.KeptThread, now time.Time) {
	sq := store.Question{Text: q.Text, CommentID: q.CommentID, CommentAuthor: q.CommentAuthor, ReturnState: q.FromState}
	if kept != nil {
		sq.ThreadID, sq.ThreadDir = kept.ThreadID, kept.Dir
	}
	o.awaiting[is.ID] = &awaitingEntry{q: sq, row: AwaitingRow{IssueID: is.ID, Identifier: is.Identifier, RepoKey: is.RepoKey, Question: q.Text, AskedAt: now}}
	h := store.Hold{IssueID: is.ID, Identifier: is.Identifier, RepoKey: is.RepoKey, Reason: "awaiting human input", Since: now, Question: &sq}
	o.rec.post("record question", func(ctx context.Context) error { return o.d.Store.PutHold(ctx, h) })
	ev := o.noticeEvent("awaiting_input", is, e, "waiting for a human's answer", nil)
	ev.Question = q.Text
	o.d.Notifier.Notify(ev)
}

// stopAwaiting forgets a wait, in memory and in the store. A kept conversation no attempt
// will continue is removed, off the loop.
func (o *Orchestrator) stopAwaiting(id string) {
	a, ok := o.awaiting[id]
	if !ok {
		return
	}
	delete(o.awaiting, id)
	o.unholdRecord(a.row.RepoKey, id)
	if kept := keptThreadOf(a.q); kept != nil && (o.threads[id] == nil || o.threads[id].Dir != kept.Dir) {
		o.removeKeptOffLoop(*kept)
	}
}

// keptThreadOf is the conversation kept with a question, or nil.
func keptThreadOf(q store.Question) *agent.KeptThread {
	if q.ThreadID == "" {
		return nil
	}
	return &agent.KeptThread{ThreadID: q.ThreadID, Dir: q.ThreadDir}
}

// replyChecks lists the waiting issues a poll should read, the ones already being moved back
// left out.
func (o *Orchestrator) replyChecks() []replyCheck {
	out := make([]replyCheck, 0, len(o.awaiting))
	for id, a := range o.awaiting {
		if !a.row.Resuming {
			out = append(out, replyCheck{issueID: id, askedAt: a.row.AskedAt, q: a.q})
		}
	}
	return out
}

// findReplies reads the waiting issues' states and comments; it runs in the poll goroutine.
// An issue whose read fails is left out and looked at again next poll.
func (o *Orchestrator) findReplies(checks []replyCheck, acceptBots bool, timeout time.Duration) map[string]replyFound {
	if len(checks) == 0 {
		return nil
	}
	ids := make([]string, len(checks))
	for i, c := range checks {
		ids[i] = c.issueID
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	states, err := o.d.Tracker.FetchIssueStatesByIDs(ctx, ids)
	cancel()
	if err != nil {
		o.log.Warn("reading the issues waiting for human input failed; trying again next poll", "error", err.Error())
		return nil
	}
	stateOf := make(map[string]string, len(states))
	for _, is := range states {
		stateOf[is.ID] = is.State
	}
	out := make(map[string]replyFound, len(checks))
	for _, c := range checks {
		state, ok := stateOf[c.issueID]
		if !ok {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		comments, err := o.d.Tracker.ListComments(ctx, c.issueID)
		cancel()
		if err != nil {
			o.log.Warn("reading replies failed; trying again next poll", "issue_id", c.issueID, "error", err.Error())
			continue
		}
		out[c.issueID] = replyFound{state: state, replies: repliesTo(comments, c.q, c.askedAt, acceptBots)}
	}
	return out
}

// repliesTo picks the comments that answer q: after the question comment (or, when it is gone,
// created after the question was asked), not Symphony's own (the question's author, or marked
// as a question) and not a bot's unless acceptBots.
func repliesTo(comments []issue.Comment, q store.Question, askedAt time.Time, acceptBots bool) []issue.Comment {
	after := slices.IndexFunc(comments, func(c issue.Comment) bool { return q.CommentID != "" && c.ID == q.CommentID })
	var out []issue.Comment
	for i, c := range comments {
		switch {
		case after >= 0 && i <= after:
			continue
		case after < 0 && (c.CreatedAt == nil || !c.CreatedAt.After(askedAt)):
			continue
		case strings.Contains(c.Body, tools.HumanInputMarker):
			continue
		case q.CommentAuthor != "" && c.Author == q.CommentAuthor:
			continue
		case !acceptBots && strings.HasSuffix(strings.ToLower(c.Author), "[bot]"):
			continue
		case strings.TrimSpace(c.Body) == "":
			continue
		}
		out = append(out, c)
	}
	return out
}

// onReplies acts on a poll's look at the waiting issues: a terminal issue stops waiting; a
// replied-to issue in an active state gets its answer and waits for a slot like any other
// candidate; with ResumeOnReply, a replied-to issue still in the waiting state is moved back.
func (o *Orchestrator) onReplies(found map[string]replyFound) {
	for id, f := range found {
		a := o.awaiting[id]
		if a == nil {
			continue
		}
		log := o.log.With("issue_id", id, "issue_identifier", a.row.Identifier, "repo_key", a.row.RepoKey)
		switch {
		case o.s.isTerminal(f.state):
			log.Info("the issue waiting for human input was closed; it no longer waits", "state", f.state)
			o.stopAwaiting(id)
		case len(f.replies) == 0:
		case o.s.isActive(f.state):
			log.Info("a human replied; the issue resumes", "replies", len(f.replies))
			o.answers[id] = &prompt.HumanAnswer{Question: a.q.Text, Replies: f.replies}
			if kept := keptThreadOf(a.q); kept != nil {
				o.threads[id] = kept
			}
			o.stopAwaiting(id)
		case o.s.HumanInput.ResumeOnReply && strings.EqualFold(strings.TrimSpace(f.state), strings.TrimSpace(o.s.HumanInput.State)):
			log.Info("a human replied; moving the issue back to work", "state", a.q.ReturnState)
			a.row.Resuming = true
			o.moveBack(id, a.q.ReturnState)
		}
	}
}

// moveBack returns a replied-to issue to the state it asked from, off the loop; the next poll
// sees it active with its replies and resumes it. A failed move is tried again next poll.
func (o *Orchestrator) moveBack(id, state string) {
	if state == "" && len(o.s.ActiveStates) > 0 {
		state = o.s.ActiveStates[0]
	}
	timeout := o.s.TrackerTimeout
	o.cleanups.Add(1)
	go func() {
		defer o.cleanups.Done()
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		err := o.d.Tracker.UpdateIssueState(ctx, id, state)
		o.send(msgMovedBack{issueID: id, err: err})
	}()
}

// msgMovedBack reports how moving a replied-to issue back to work went.
type msgMovedBack struct {
	issueID string
	err     error
}

func (msgMovedBack) loopMessage() {}

func (o *Orchestrator) onMovedBack(m msgMovedBack) {
	a := o.awaiting[m.issueID]
	if a == nil {
		return
	}
	if m.err != nil {
		o.log.Warn("moving the replied-to issue back to work failed; trying again next poll", "issue_id", m.issueID, "error", m.err.Error())
		a.row.Resuming = false
		return
	}
	// The issue is active now; the next poll finds the reply again and resumes it.
	a.row.Resuming = false
	o.refresh()
}

// askOnBehalf posts the question Codex asked through its own user-input request, the way
// request_human_input would have, so a human sees it; it runs off the loop.
func (o *Orchestrator) askOnBehalf(is issue.Issue, question string) {
	state, timeout := o.s.HumanInput.State, o.s.TrackerTimeout
	o.cleanups.Add(1)
	go func() {
		defer o.cleanups.Done()
		log := o.log.With("issue_id", is.ID, "issue_identifier", is.Identifier, "repo_key", is.RepoKey)
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if _, err := o.d.Tracker.CreateComment(ctx, is.ID, tools.QuestionComment(question)); err != nil {
			log.Warn("posting the agent's question failed", "error", err.Error())
		}
		if state != "" {
			if err := o.d.Tracker.UpdateIssueState(ctx, is.ID, state); err != nil {
				log.Info("the issue stays in its state while it waits for input", "error", err.Error())
			}
		}
	}()
}

// awaitingRows lists the waiting issues for the snapshot.
func (o *Orchestrator) awaitingRows() []AwaitingRow {
	out := make([]AwaitingRow, 0, len(o.awaiting))
	for _, a := range o.awaiting {
		out = append(out, a.row)
	}
	slices.SortFunc(out, func(a, b AwaitingRow) int { return strings.Compare(a.Identifier, b.Identifier) })
	return out
}
