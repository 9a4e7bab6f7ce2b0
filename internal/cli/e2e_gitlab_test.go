package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/tracker/gitlab/gitlabtest"
)

// TestAgentHandsOffThroughGitLabWithRealCodex runs the symphony binary against the fake
// GitLab with the real codex: the issue labelled workflow::todo is picked up (Symphony moves
// it to workflow::in-progress), worked, commented on and moved to workflow::in-review through
// the scoped tracker tools, as the fake's record shows. The token never reaches the agent.
func TestAgentHandsOffThroughGitLabWithRealCodex(t *testing.T) {
	e := newE2E(t)
	fake := gitlabtest.NewServer(t, gitlabtest.Options{Project: "group/app"})
	work := fake.AddIssue(gitlabtest.Issue{Title: "Add the work file", Description: "Write WORK.md.", Labels: []string{"workflow::todo", "feature"}})
	e.env = append(e.env, "GITLAB_TOKEN="+gitlabtest.Token)

	id := fmt.Sprintf("group/app#%d", work.IID)
	commit := `echo "gitlab token: [$GITLAB_TOKEN]" && ` + agentCommit("WORK.md", "work on "+id)
	comment := "Ready for review on auto/" + id + "."
	mock := codextest.NewResponses(t,
		codextest.Step{Tool: "tracker_get_current_issue", ToolArgs: map[string]any{}},
		codextest.Step{Shell: commit},
		codextest.Step{Tool: "tracker_add_comment", ToolArgs: map[string]any{"body": comment}},
		codextest.Step{Tool: "tracker_update_state", ToolArgs: map[string]any{"state_name_or_id": "In Review"}},
		codextest.Step{Text: id + " is ready for review."})
	e.writeConfigWith(t, mock, fmt.Sprintf(`issues:
  provider: gitlab
  poll_interval_ms: 2000
  gitlab:
    base_url: %s
    project: group/app
    state_labels: {Todo: "workflow::todo", In Progress: "workflow::in-progress", In Review: "workflow::in-review"}
  states: {active: [Todo, In Progress], terminal: [Closed]}
`, fake.URL), "")

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	stdout, stderr := e.serveUntilHandOff(t, ctx, mock, func() (bool, string) {
		is, _ := fake.Issue(work.IID)
		return slices.Contains(is.Labels, "workflow::in-review"), fmt.Sprintf("%s has labels %v", id, is.Labels)
	})

	var edits []string
	for _, r := range fake.Requests() {
		if r.Method == "PUT" && r.Path == fmt.Sprintf("/api/v4/projects/group%%2Fapp/issues/%d", work.IID) {
			edits = append(edits, string(r.Body))
		}
	}
	if len(edits) != 2 || !strings.Contains(edits[0], "workflow::in-progress") || !strings.Contains(edits[1], "workflow::in-review") {
		t.Errorf("issue edits %q, want the move to In Progress at dispatch, then the agent's to In Review", edits)
	}
	if is, _ := fake.Issue(work.IID); is.State != "opened" || !slices.Equal(is.Labels, []string{"feature", "workflow::in-review"}) {
		t.Errorf("%s ended %s with labels %v", id, is.State, is.Labels)
	}
	if got := fake.Notes(work.IID); !slices.Contains(got, comment) {
		t.Errorf("notes %q lack the agent's comment", got)
	}
	checkTrackerHandOff(t, e, mock, id, "gitlab", gitlabtest.Token, stdout.String()+stderr.String())
}
