package tools

import (
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/linear"
	"github.com/symphony-go/symphony/internal/tracker/linear/lineartest"
)

// linearHost is a host bound to an issue in the fake Linear, with the state change it reported.
func linearHost(t *testing.T) (*Host, *lineartest.Server, lineartest.Issue, *string) {
	t.Helper()
	srv := lineartest.NewServer(t, lineartest.Schema(t), lineartest.Options{})
	srv.AddTeam(lineartest.Team{Key: "ENG", States: []lineartest.State{
		{ID: "0b6e8f2a-1111-4c3d-9e5f-00000000000a", Name: "Todo"},
		{ID: "0b6e8f2a-1111-4c3d-9e5f-00000000000b", Name: "Human Review"},
	}})
	is := srv.AddIssue(lineartest.Issue{TeamKey: "ENG", Title: "Work"})
	client, err := linear.New(linear.Options{Endpoint: srv.URL, APIKey: lineartest.APIKey, Settings: tracker.Settings{
		Routes: []tracker.Route{{Key: "web", Team: "ENG"}}, ActiveStates: []string{"Todo"}, TerminalStates: []string{"Done"}}})
	if err != nil {
		t.Fatal(err)
	}
	var changed string
	h, err := New(Options{Issue: issue.Issue{ID: is.ID, Identifier: is.Identifier}, Tracker: client, Provider: "linear",
		Comments: NewStoredOwnership(&memKV{}), Scanner: secretscan.New(), Events: func(ev agent.Event) {
			if ev.Kind == agent.EventIssueStateChanged {
				changed = ev.Message
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	return h, srv, is, &changed
}

func TestLinearUnknownStateListsTheTeamStates(t *testing.T) {
	h, srv, is, _ := linearHost(t)
	r := call(t, h, "linear_update_state", `{"state_name_or_id":"Shipped"}`)
	if r.Success || r.Error.Code != CodeStateNotFound {
		t.Fatalf("unknown state = %+v, want %s", r, CodeStateNotFound)
	}
	if got := r.Error.Details["available_states"]; strings.Join(toStrings(got), ",") != "Todo,Human Review" {
		t.Fatalf("available_states = %v, want the team's states", got)
	}
	if stored, _ := srv.Issue(is.ID); stored.StateName != "Todo" {
		t.Fatalf("the state changed to %q", stored.StateName)
	}
}

func TestLinearUpdateStateByID(t *testing.T) {
	h, srv, is, changed := linearHost(t)
	r := call(t, h, "linear_update_state", `{"state_name_or_id":"0b6e8f2a-1111-4c3d-9e5f-00000000000b"}`)
	if !r.Success {
		t.Fatalf("update by id failed: %+v", r.Error)
	}
	if stored, _ := srv.Issue(is.ID); stored.StateName != "Human Review" {
		t.Fatalf("state = %q, want Human Review", stored.StateName)
	}
	if *changed != "Human Review" || r.Output.(map[string]any)["state"] != "Human Review" {
		t.Errorf("reported state %q / %v, want the state's name", *changed, r.Output)
	}
	if n := srv.RequestCount("SymphonyTeamState"); n != 0 {
		t.Errorf("the id was looked up by name %d times", n)
	}
}

func TestLinearToolsEndToEnd(t *testing.T) {
	h, srv, is, _ := linearHost(t)
	h.opts.AllowedHosts = []string{"github.com"}
	child := srv.AddIssue(lineartest.Issue{TeamKey: "ENG", Title: "Child", ParentID: is.ID})
	if r := call(t, h, "linear_get_subissues", `{}`); !r.Success || len(r.Output.(map[string]any)["subissues"].([]any)) != 1 {
		t.Fatalf("get_subissues = %+v, want %s", r, child.Identifier)
	}
	if r := call(t, h, "linear_attach_url", `{"url":"https://github.com/o/r/pull/3","title":"PR 3"}`); !r.Success {
		t.Fatalf("attach_url = %+v", r.Error)
	}
	if links := srv.Links(is.ID); len(links) != 1 || links[0].Title != "PR 3" {
		t.Fatalf("links = %+v", links)
	}
	ack := call(t, h, "linear_add_comment", `{"body":"scratch"}`).Output.(map[string]any)
	if r := call(t, h, "linear_delete_comment", `{"comment_id":"`+ack["id"].(string)+`"}`); !r.Success {
		t.Fatalf("delete_comment = %+v", r.Error)
	}
	if left := srv.Comments(is.ID); len(left) != 0 {
		t.Fatalf("comments left = %+v", left)
	}
}

func toStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, s := range list {
		out = append(out, s.(string))
	}
	return out
}

// TestLinearViewersOwnCommentsMayBeEdited: on Linear the comments the API key's user wrote on
// the issue (an earlier workpad, say, from before comment ownership was recorded) count as
// the runs' own; another user's comment never does.
func TestLinearViewersOwnCommentsMayBeEdited(t *testing.T) {
	h, srv, is, _ := linearHost(t)
	mine := srv.AddComment(is.ID, "viewer", "## Codex Workpad\n\nold notes")
	theirs := srv.AddComment(is.ID, "reviewer", "please fix the tests")
	if r := call(t, h, "linear_update_comment", `{"comment_id":"`+mine.ID+`","body":"## Codex Workpad\n\nnew notes"}`); !r.Success {
		t.Fatalf("editing the viewer's own comment failed: %+v", r.Error)
	}
	r := call(t, h, "linear_update_comment", `{"comment_id":"`+theirs.ID+`","body":"done"}`)
	if r.Success || r.Error.Code != CodeCommentNotOwned {
		t.Fatalf("editing another user's comment = %+v, want %s", r, CodeCommentNotOwned)
	}
	for _, c := range srv.Comments(is.ID) {
		switch c.ID {
		case mine.ID:
			if !strings.Contains(c.Body, "new notes") {
				t.Errorf("the viewer's comment was not updated: %q", c.Body)
			}
		case theirs.ID:
			if c.Body != "please fix the tests" {
				t.Errorf("another user's comment changed: %q", c.Body)
			}
		}
	}
}
