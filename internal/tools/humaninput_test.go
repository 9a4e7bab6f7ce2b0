package tools

import (
	"context"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/secretscan"
)

func TestRequestHumanInputPostsTheQuestionParksTheIssueAndReportsIt(t *testing.T) {
	f := newFixture(t, "local", false)
	var events []agent.Event
	opts := f.host.opts
	opts.Issue.State = "In Progress"
	opts.HumanInputState = "Needs Input"
	opts.Events = func(ev agent.Event) { events = append(events, ev) }
	h, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}

	r := call(t, h, HumanInputTool, `{"question":"Which port should the server use?"}`)
	if !r.Success {
		t.Fatalf("request_human_input failed: %+v", r.Error)
	}
	out := r.Output.(map[string]any)
	if out["state"] != "Needs Input" || out["waiting"] != true || out["comment_id"] == "" {
		t.Fatalf("output %v", out)
	}
	comments, err := f.tracker.ListComments(context.Background(), "id-1")
	if err != nil || len(comments) != 1 {
		t.Fatalf("comments %+v, %v", comments, err)
	}
	if body := comments[0].Body; !strings.HasPrefix(body, HumanInputMarker) || !strings.Contains(body, "Which port should the server use?") {
		t.Fatalf("question comment %q", body)
	}
	is, _ := f.tracker.FetchIssueByIdentifier(context.Background(), "ENG-1")
	if is.State != "Needs Input" {
		t.Fatalf("issue state %q, want the waiting state", is.State)
	}
	var asked *agent.HumanQuestion
	var handedOffTo []string
	for _, ev := range events {
		switch ev.Kind {
		case agent.EventHumanInputRequested:
			asked = ev.Question
		case agent.EventIssueStateChanged:
			handedOffTo = append(handedOffTo, ev.Message)
		}
	}
	// The move is the agent's own hand-off, so the orchestrator lets the asking turn end.
	if len(handedOffTo) != 1 || handedOffTo[0] != "Needs Input" {
		t.Fatalf("issue_state_changed events %q, want one naming the waiting state", handedOffTo)
	}
	if asked == nil || asked.Text != "Which port should the server use?" || asked.CommentID != comments[0].ID || asked.FromState != "In Progress" {
		t.Fatalf("human_input_requested event %+v", asked)
	}
	// The question comment is the run's own, like any comment it wrote.
	if owned, _ := opts.Comments.Owns(context.Background(), "id-1", comments[0].ID); !owned {
		t.Error("the question comment is not recorded as the run's own")
	}
}

func TestRequestHumanInputRefusesBadQuestions(t *testing.T) {
	cases := []struct{ name, args, code string }{
		{"blank", `{"question":"  "}`, CodeInvalidQuestion},
		{"too long", `{"question":"` + strings.Repeat("é", maxQuestionRunes+1) + `"}`, CodeInvalidQuestion},
		{"secret", `{"question":"is ` + fakeGitHubToken + ` the right token?"}`, CodeSecretDetected},
		{"scope", `{"question":"q","issue_id":"id-2"}`, CodeScopeArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, "local", false)
			if r := call(t, f.host, HumanInputTool, c.args); r.Success || r.Error.Code != c.code {
				t.Fatalf("result %+v, want %s", r, c.code)
			}
			if comments, _ := f.tracker.ListComments(context.Background(), "id-1"); len(comments) != 0 {
				t.Fatalf("a refused question posted %d comments", len(comments))
			}
		})
	}
	readOnly := newFixture(t, "local", true).host
	if r := call(t, readOnly, HumanInputTool, `{"question":"q"}`); r.Success || r.Error.Code != CodeToolScope {
		t.Fatalf("a read-only session asked a question: %+v", r)
	}
}

// The question needs no waiting state: without one the issue stays where it is and Symphony's
// own record parks it.
func TestRequestHumanInputWithoutAWaitingState(t *testing.T) {
	f := newFixture(t, "local", false)
	h, err := New(Options{Issue: issue.Issue{ID: "id-1", Identifier: "ENG-1", RepoKey: "web", State: "Todo"}, Tracker: f.tracker,
		Comments: f.host.opts.Comments, Scanner: secretscan.New()})
	if err != nil {
		t.Fatal(err)
	}
	r := call(t, h, HumanInputTool, `{"question":"Which port?"}`)
	if !r.Success {
		t.Fatal(r.Error)
	}
	if _, moved := r.Output.(map[string]any)["state"]; moved {
		t.Fatalf("output %v names a state although none was configured", r.Output)
	}
	if is, _ := f.tracker.FetchIssueByIdentifier(context.Background(), "ENG-1"); is.State != "Todo" {
		t.Fatalf("state %q, want it unchanged", is.State)
	}
}
