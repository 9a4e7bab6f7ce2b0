package cli

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/tracker/jira/jiratest"
)

// TestAgentHandsOffThroughJiraWithRealCodex runs the symphony binary against the fake Jira
// with the real codex: the To Do issue is picked up and moved to In Progress, worked,
// commented on and moved to In Review through the scoped tracker tools, and the fake's record shows the transitions and
// the comment in Atlassian Document Format. The API token never reaches the agent.
func TestAgentHandsOffThroughJiraWithRealCodex(t *testing.T) {
	e := newE2E(t)
	fake := jiratest.NewServer(t, jiratest.Options{})
	work := fake.AddIssue(jiratest.Issue{Summary: "Add the work file", Description: "Write WORK.md.", Status: "To Do", PriorityID: "2"})
	e.env = append(e.env, "JIRA_BASE_URL="+fake.URL, "JIRA_EMAIL="+jiratest.Email, "JIRA_API_TOKEN="+jiratest.APIToken)

	id := work.Key
	commit := `echo "jira token: [$JIRA_API_TOKEN]" && ` + agentCommit("WORK.md", "work on "+id)
	comment := "Ready for review on auto/" + id + "."
	mock := codextest.NewResponses(t,
		codextest.Step{Tool: "tracker_get_current_issue", ToolArgs: map[string]any{}},
		codextest.Step{Shell: commit},
		codextest.Step{Tool: "tracker_add_comment", ToolArgs: map[string]any{"body": comment}},
		codextest.Step{Tool: "tracker_update_state", ToolArgs: map[string]any{"state_name_or_id": "In Review"}},
		codextest.Step{Text: id + " is ready for review."})
	e.writeConfigWith(t, mock, `issues:
  provider: jira
  poll_interval_ms: 2000
  jira: {project_key: ENG}
  states: {active: [To Do, In Progress], terminal: [Done]}
`, "")

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	stdout, stderr := e.serveUntilHandOff(t, ctx, mock, func() (bool, string) {
		is, _ := fake.Issue(id)
		return is.Status == "In Review", id + " is in " + is.Status
	})

	var moves []string
	for _, r := range fake.Requests() {
		if r.Method == "POST" && r.Path == "/rest/api/3/issue/"+work.ID+"/transitions" {
			moves = append(moves, string(r.Body))
		}
	}
	// Symphony moves an issue out of Jira's start state, To Do, to In Progress (t1) at
	// dispatch; the agent then moves it to In Review (t2).
	if len(moves) != 2 || !strings.Contains(moves[0], `"t1"`) || !strings.Contains(moves[1], `"t2"`) {
		t.Errorf("transitions %q, want Symphony's to In Progress, then the agent's to In Review", moves)
	}
	if got := fake.Comments(id); !slices.Contains(got, comment) {
		t.Errorf("comments %q lack the agent's", got)
	}
	checkTrackerHandOff(t, e, mock, id, "jira", jiratest.APIToken, stdout.String()+stderr.String())
}
