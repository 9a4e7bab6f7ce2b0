package cli

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/github/githubtest"
)

// writeGitHubIssuesConfig writes symphony.yml with the GitHub Issues tracker polling
// octo/app, states carried by symphony:* labels and issues assigned to the token's user.
func (e *e2eEnv) writeGitHubIssuesConfig(t *testing.T, mock *codextest.Responses) {
	t.Helper()
	e.writeConfigWith(t, mock, `issues:
  provider: github
  poll_interval_ms: 2000
  github:
    repos: [octo/app]
    assignee: me
    state_labels: {Todo: "symphony:todo", In Progress: "symphony:in-progress", In Review: "symphony:in-review"}
  states: {active: [Todo, In Progress], terminal: [Closed]}
`, "")
}

// TestAgentHandsOffThroughGitHubIssuesWithRealCodex runs the symphony binary against the fake
// GitHub with the real codex: the issue labelled symphony:todo and assigned to the token's
// user is picked up, worked, commented on and moved to In Review through the scoped tracker
// tools, and the fake's record shows the label swap and the comment. The token never reaches
// the agent, and repeated polls are answered 304.
func TestAgentHandsOffThroughGitHubIssuesWithRealCodex(t *testing.T) {
	e := newE2E(t)
	fake := githubtest.NewServer(t, githubtest.Options{Login: "symphony-bot"})
	fake.AddRepository(githubtest.Repository{Owner: "octo", Name: "app"})
	work := fake.AddIssue("octo/app", githubtest.Issue{Title: "Add the work file", Body: "Write WORK.md.",
		Labels: []string{"symphony:todo", "enhancement"}, Assignees: []string{"symphony-bot"}})
	other := fake.AddIssue("octo/app", githubtest.Issue{Title: "Someone else's task", Labels: []string{"symphony:todo"}, Assignees: []string{"ann"}})
	e.env = append(e.env, "GH_TOKEN="+githubtest.Token, "SYMPHONY_GITHUB_API_URL="+fake.URL)

	id := "octo/app#" + fmt.Sprint(work.Number)
	commit := `echo "github token: [$GH_TOKEN]" && ` + agentCommit("WORK.md", "work on "+id)
	comment := "Ready for review on auto/" + id + "."
	mock := codextest.NewResponses(t,
		codextest.Step{Tool: "tracker_get_current_issue", ToolArgs: map[string]any{}},
		codextest.Step{Shell: commit},
		codextest.Step{Tool: "tracker_add_comment", ToolArgs: map[string]any{"body": comment}},
		codextest.Step{Tool: "tracker_update_state", ToolArgs: map[string]any{"state_name_or_id": "In Review"}},
		codextest.Step{Text: id + " is ready for review."})
	e.writeGitHubIssuesConfig(t, mock)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	stdout, stderr := e.serveUntilHandOff(t, ctx, mock, func() (bool, string) {
		is, _ := fake.Issue("octo/app", work.Number)
		return slices.Contains(is.Labels, "symphony:in-review"), fmt.Sprintf("%s has labels %v", id, is.Labels)
	})

	var labelSets [][]string
	polls, notModified := 0, 0
	for _, r := range fake.Requests() {
		if r.Authorization != "Bearer "+githubtest.Token {
			t.Errorf("%s %s sent Authorization %q", r.Method, r.Path, r.Authorization)
		}
		switch r.Method + " " + r.Path {
		case "PATCH /repos/octo/app/issues/" + fmt.Sprint(work.Number):
			var labels []string
			for _, part := range strings.Split(string(r.Body), `"`) {
				if strings.HasPrefix(part, "symphony:") {
					labels = append(labels, part)
				}
			}
			labelSets = append(labelSets, labels)
		case "PATCH /repos/octo/app/issues/" + fmt.Sprint(other.Number):
			t.Errorf("%s, assigned to someone else, was edited: %s", "octo/app#2", r.Body)
		case "GET /repos/octo/app/issues":
			polls++
			if r.Status == http.StatusNotModified {
				notModified++
			}
		}
	}
	// Symphony moves the issue to In Progress when it dispatches it; the agent hands it off.
	if want := [][]string{{"symphony:in-progress"}, {"symphony:in-review"}}; !slices.EqualFunc(labelSets, want, slices.Equal) {
		t.Errorf("state label edits %v, want %v", labelSets, want)
	}
	if polls < 2 || notModified == 0 {
		t.Errorf("%d polls, %d answered 304: conditional polling is not in effect", polls, notModified)
	}
	got, _ := fake.Issue("octo/app", work.Number)
	if got.State != githubtest.StateOpen || !slices.Equal(got.Labels, []string{"enhancement", "symphony:in-review"}) {
		t.Errorf("%s ended %s with labels %v, want open with enhancement and symphony:in-review", id, got.State, got.Labels)
	}
	var bodies []string
	for _, c := range fake.IssueComments("octo/app", work.Number) {
		bodies = append(bodies, c.Body)
	}
	if !slices.Contains(bodies, comment) {
		t.Errorf("the issue's comments %q lack the agent's comment", bodies)
	}
	if left := fake.IssueComments("octo/app", other.Number); len(left) != 0 {
		t.Errorf("octo/app#2 got comments: %+v", left)
	}
	checkTrackerHandOff(t, e, mock, id, "github", githubtest.Token, stdout.String()+stderr.String())
}
