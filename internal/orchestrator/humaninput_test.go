package orchestrator

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/tools"
)

// askTurn scripts a turn that does what request_human_input does: post the marked question,
// move the issue to the waiting state and report the question.
func askTurn(h *harness, issueID, question string) agenttest.Turn {
	return agenttest.Turn{
		Do: func(ctx context.Context, _ string) error {
			if _, err := h.tr.CreateComment(ctx, issueID, tools.QuestionComment(question)); err != nil {
				return err
			}
			return h.tr.UpdateIssueState(ctx, issueID, "Needs Input")
		},
		// The memory tracker numbers comments from 1 and the run's workpad is comment-1, so
		// the question is comment-2.
		Emit: []agent.Event{{Kind: agent.EventHumanInputRequested, Message: question, Question: &agent.HumanQuestion{
			Text: question, CommentID: "comment-2", CommentAuthor: "symphony", FromState: "In Progress"}}},
	}
}

func withHumanInput(resumeOnReply bool) option {
	return withSettings(func(s *Settings) {
		s.HumanInput = HumanInput{State: "Needs Input", ResumeOnReply: resumeOnReply}
	})
}

func TestQuestionParksTheIssueUntilAHumanRepliesAndTheReplyReachesThePrompt(t *testing.T) {
	state := t.TempDir()
	opts := []option{withHumanInput(false), func(c *harnessConfig) { c.stateRoot = state }}
	h := newHarness(t, opts...)
	h.put(newIssue(1, "In Progress"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{askTurn(h, "id-1", "Which port should the server use?"), {}}})
	h.start()
	h.waitStatuses("id-1", store.StatusAwaitingInput)
	s := h.waitFor("the wait", func(s *Snapshot) bool { return len(s.AwaitingInput) == 1 && idle("id-1")(s) })
	if a := s.AwaitingInput[0]; a.Identifier != "ENG-1" || a.Question != "Which port should the server use?" {
		t.Fatalf("awaiting row %+v", a)
	}

	// Moved back to work by a person without a reply, or left waiting: no session starts,
	// poll after poll, and nothing is retried.
	h.put(issue.Issue{ID: "id-1", Identifier: "ENG-1", Title: "Issue 1", State: "In Progress"})
	for range 3 {
		h.poll()
	}
	if n := len(h.agents.SessionsFor("ENG-1")); n != 1 {
		t.Fatalf("%d sessions while waiting for an answer, want 1", n)
	}
	if _, retrying := h.o.Snapshot().Retry("id-1"); retrying {
		t.Fatal("a question was retried")
	}
	// Symphony's own comments are no answer.
	if _, err := h.tr.CreateComment(context.Background(), "id-1", "workpad update"); err != nil {
		t.Fatal(err)
	}
	h.poll()
	if n := len(h.agents.SessionsFor("ENG-1")); n != 1 {
		t.Fatal("Symphony's own comment was taken for a reply")
	}

	// The wait survives a restart.
	h.closeDurable()
	again := newHarness(t, opts...)
	again.put(issue.Issue{ID: "id-1", Identifier: "ENG-1", Title: "Issue 1", State: "In Progress"})
	again.tr.AddComment("id-1", issue.Comment{ID: "comment-2", Author: "symphony", Body: tools.QuestionComment("Which port should the server use?")})
	again.start()
	again.poll()
	if n := again.agents.Starts(); n != 0 {
		t.Fatalf("the waiting issue was dispatched after a restart (%d starts)", n)
	}
	if s := again.o.Snapshot(); len(s.AwaitingInput) != 1 {
		t.Fatalf("the wait was lost across a restart: %+v", s.AwaitingInput)
	}

	again.tr.AddComment("id-1", issue.Comment{Author: "dependabot[bot]", Body: "bump"})
	again.tr.AddComment("id-1", issue.Comment{Author: "dana", Body: "Use 8080."})
	again.poll()
	again.eventually("the first prompt after the reply", func() bool {
		sessions := again.agents.SessionsFor("ENG-1")
		return len(sessions) == 1 && len(sessions[0].Prompts()) > 0
	})
	prompts := again.agents.SessionsFor("ENG-1")[0].Prompts()
	if len(prompts) == 0 || !strings.Contains(prompts[0], "Use 8080.") || !strings.Contains(prompts[0], "Which port should the server use?") {
		t.Fatalf("the first prompt after the reply lacks the question and answer: %q", prompts)
	}
	if strings.Contains(prompts[0], "bump") {
		t.Error("a bot's comment was taken for a reply")
	}
	again.eventually("the wait to be forgotten", func() bool {
		holds, err := again.store.Holds(context.Background())
		return err == nil && len(holds) == 0 && len(again.o.Snapshot().AwaitingInput) == 0
	})
}

func TestResumeOnReplyMovesTheIssueBackToTheStateItAskedFrom(t *testing.T) {
	h := newHarness(t, withHumanInput(true))
	h.put(newIssue(1, "In Progress"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{askTurn(h, "id-1", "Which port?"), {}}})
	h.start()
	h.waitFor("the wait", func(s *Snapshot) bool { return len(s.AwaitingInput) == 1 && idle("id-1")(s) })
	h.tr.AddComment("id-1", issue.Comment{Author: "dana", Body: "8080"})
	h.poll()
	h.eventually("the attempt after the reply", func() bool { return len(h.agents.SessionsFor("ENG-1")) == 2 })
	is, err := h.tr.FetchIssueByIdentifier(context.Background(), "ENG-1")
	if err != nil || is.State != "In Progress" {
		t.Fatalf("state %q (%v), want the state the question was asked from", is.State, err)
	}
}

func TestClosedIssueStopsWaitingAndUnstopReleasesAWait(t *testing.T) {
	h := newHarness(t, withHumanInput(false))
	h.put(newIssue(1, "In Progress"))
	h.put(newIssue(2, "In Progress"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{askTurn(h, "id-1", "q1")}})
	h.agents.Script("ENG-2", agenttest.Script{Turns: []agenttest.Turn{{
		Emit: []agent.Event{{Kind: agent.EventHumanInputRequested, Question: &agent.HumanQuestion{Text: "q2", FromState: "In Progress"}}},
	}, {}}})
	h.start()
	h.waitFor("both waits", func(s *Snapshot) bool { return len(s.AwaitingInput) == 2 })
	h.put(issue.Issue{ID: "id-1", Identifier: "ENG-1", Title: "Issue 1", State: "Done"})
	h.poll()
	h.waitFor("the closed issue to stop waiting", func(s *Snapshot) bool {
		return len(s.AwaitingInput) == 1 && s.AwaitingInput[0].Identifier == "ENG-2"
	})
	if err := h.o.Unstop("ENG-2"); err != nil {
		t.Fatal(err)
	}
	h.eventually("ENG-2 to run again after unstop", func() bool { return len(h.agents.SessionsFor("ENG-2")) == 2 })
}

func TestRepliesTo(t *testing.T) {
	asked := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	before, after := asked.Add(-time.Minute), asked.Add(time.Minute)
	comments := []issue.Comment{
		{ID: "c1", Author: "dana", Body: "earlier remark", CreatedAt: &before},
		{ID: "c2", Author: "symphony-bot", Body: tools.QuestionComment("q"), CreatedAt: &asked},
		{ID: "c3", Author: "symphony-bot", Body: "workpad", CreatedAt: &after},
		{ID: "c4", Author: "renovate[bot]", Body: "bump", CreatedAt: &after},
		{ID: "c5", Author: "lee", Body: "  ", CreatedAt: &after},
		{ID: "c6", Author: "lee", Body: "answer", CreatedAt: &after},
		{ID: "c7", Author: "kim", Body: tools.QuestionComment("a quoted question"), CreatedAt: &after},
	}
	ids := func(cs []issue.Comment) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return strings.Join(out, ",")
	}
	cases := []struct {
		name string
		q    store.Question
		bots bool
		want string
	}{
		{"after the question comment", store.Question{CommentID: "c2", CommentAuthor: "symphony-bot"}, false, "c6"},
		{"bots accepted", store.Question{CommentID: "c2", CommentAuthor: "symphony-bot"}, true, "c4,c6"},
		{"question comment gone: by time", store.Question{CommentID: "gone"}, false, "c3,c6"},
		{"no comment id", store.Question{}, false, "c3,c6"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ids(repliesTo(comments, c.q, asked, c.bots)); got != c.want {
				t.Fatalf("replies %s, want %s", got, c.want)
			}
		})
	}
}

// When Codex itself asks for input, its question (not the error's wrapping) is posted on the
// issue the way request_human_input would post it, and the issue waits the same way.
func TestCodexQuestionIsPostedAndTheIssueWaits(t *testing.T) {
	h := newHarness(t, withHumanInput(false))
	h.put(newIssue(1, "In Progress"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{
		{Err: agent.Errorf(agent.CodeTurnInputRequired, "Port: Which port should the server use?")},
	}})
	h.start()
	h.waitStatuses("id-1", store.StatusAwaitingInput)
	s := h.waitFor("the wait", func(s *Snapshot) bool { return len(s.AwaitingInput) == 1 })
	if q := s.AwaitingInput[0].Question; q != "Port: Which port should the server use?" {
		t.Fatalf("question %q, want Codex's question alone", q)
	}
	h.eventually("the question on the issue and the waiting state", func() bool {
		comments, err := h.tr.ListComments(context.Background(), "id-1")
		is, _ := h.tr.FetchIssueByIdentifier(context.Background(), "ENG-1")
		// The first comment is the workpad the run opened.
		return err == nil && len(comments) == 2 && comments[1].Body == tools.QuestionComment("Port: Which port should the server use?") &&
			is.State == "Needs Input"
	})
	if _, retrying := h.o.Snapshot().Retry("id-1"); retrying {
		t.Fatal("Codex's question was retried")
	}
}

// Each question notifies awaiting_input once, however many polls see the issue waiting: one
// asked through request_human_input and, after the reply, one Codex asked by itself.
func TestEachQuestionNotifiesAwaitingInputOnce(t *testing.T) {
	n := &recordingNotifier{}
	h := newHarness(t, withHumanInput(false), withNotifier(n))
	h.put(newIssue(1, "In Progress"))
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{
		askTurn(h, "id-1", "Which port should the server use?"),
		{Err: agent.Errorf(agent.CodeTurnInputRequired, "Which host?")},
	}})
	h.start()
	h.waitStatuses("id-1", store.StatusAwaitingInput)
	h.waitFor("the wait", func(s *Snapshot) bool { return len(s.AwaitingInput) == 1 && idle("id-1")(s) })
	h.put(issue.Issue{ID: "id-1", Identifier: "ENG-1", Title: "Issue 1", State: "In Progress", URL: "https://tracker/ENG-1"})
	for range 3 {
		h.poll()
	}
	got := n.named("awaiting_input")
	if len(got) != 1 {
		t.Fatalf("%d awaiting_input events after three polls, want 1 (events %v)", len(got), n.names())
	}
	runs := h.runs("id-1")
	if e := got[0]; e.IssueIdentifier != "ENG-1" || e.IssueTitle != "Issue 1" || e.Question != "Which port should the server use?" ||
		len(runs) != 1 || e.RunID != runs[0].ID {
		t.Errorf("event %+v does not carry the issue, its question and the run %+v", e, runs)
	}

	h.tr.AddComment("id-1", issue.Comment{Author: "dana", Body: "Use 8080."})
	h.poll()
	h.waitStatuses("id-1", store.StatusAwaitingInput, store.StatusAwaitingInput)
	h.waitFor("the second wait", func(s *Snapshot) bool { return len(s.AwaitingInput) == 1 && idle("id-1")(s) })
	for range 3 {
		h.poll()
	}
	got = n.named("awaiting_input")
	if len(got) != 2 || got[1].Question != "Which host?" {
		t.Fatalf("awaiting_input events %+v, want one more for Codex's question", got)
	}
}
