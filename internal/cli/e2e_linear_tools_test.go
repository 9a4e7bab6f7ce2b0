package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/testenv"
	"github.com/symphony-go/symphony/internal/tracker/linear/lineartest"
)

// linearE2EKey is the Linear API key symphony reads from $LINEAR_API_KEY; it is a secret and
// must not appear in anything symphony writes or prints.
var linearE2EKey = "lin_api_" + strings.Repeat("e2eK3y", 7)

// writeLinearConfig writes symphony.yml like writeConfig, but with the Linear tracker at
// endpoint, scoped to team and to issues assigned to the key's own user, reading its API key
// from $LINEAR_API_KEY.
func (e *e2eEnv) writeLinearConfig(t *testing.T, mock *codextest.Responses, endpoint, team string) {
	t.Helper()
	e.writeConfigWith(t, mock, fmt.Sprintf(`issues:
  provider: linear
  poll_interval_ms: 2000
  linear:
    endpoint: %q
    api_key: $LINEAR_API_KEY
    assignee: me
    scope: {team: %s}
  states: {active: [Todo, In Progress], terminal: [Done, Canceled]}
`, endpoint, team), "")
}

// TestAgentHandsOffThroughScopedLinearToolsWithRealCodex is the scoped-tools hand-off against
// the fake Linear server: the real codex reads its issue with linear_get_current_issue,
// commits, comments and moves the issue to Human Review, all through Symphony's Linear
// client, every request of which the fake validates against Linear's schema.
func TestAgentHandsOffThroughScopedLinearToolsWithRealCodex(t *testing.T) {
	e := newE2E(t)
	fake := lineartest.NewServer(t, lineartest.Schema(t), lineartest.Options{APIKey: linearE2EKey, ViewerID: "user-symphony"})
	team := fake.AddTeam(lineartest.Team{Key: "ENG"})
	issue := fake.AddIssue(lineartest.Issue{TeamKey: "ENG", Title: "Add the work file", Description: "Write WORK.md.", Priority: 2, AssigneeID: "user-symphony"})
	// Assigned to someone else, so outside the assignee "me" scope: never dispatched, never written.
	other := fake.AddIssue(lineartest.Issue{TeamKey: "ENG", Title: "Someone else's task", Priority: 1, AssigneeID: "user-other"})
	e.env = append(e.env, "LINEAR_API_KEY="+linearE2EKey)

	id := issue.Identifier
	// The command also prints $LINEAR_API_KEY: Symphony's environment is not the agent's, so
	// the key must come out empty.
	commit := `echo "linear key: [$LINEAR_API_KEY]" && ` + agentCommit("WORK.md", "work on "+id)
	comment := "Ready for review on auto/" + id + "."
	mock := codextest.NewResponses(t,
		codextest.Step{Tool: "linear_get_current_issue", ToolArgs: map[string]any{}},
		codextest.Step{Shell: commit},
		codextest.Step{Tool: "linear_add_comment", ToolArgs: map[string]any{"body": comment}},
		codextest.Step{Tool: "linear_update_state", ToolArgs: map[string]any{"state_name_or_id": "Human Review"}},
		codextest.Step{Text: id + " is ready for review."})
	e.writeLinearConfig(t, mock, fake.URL, "ENG")

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	stdout, stderr := e.serveUntilHandOff(t, ctx, mock, func() (bool, string) {
		is, _ := fake.Issue(issue.ID)
		return is.StateName == "Human Review", id + " is in " + is.StateName
	})

	if rejected := fake.Rejected(); len(rejected) > 0 {
		t.Errorf("the fake rejected %d requests as invalid:\n%s", len(rejected), strings.Join(rejected, "\n"))
	}
	for _, r := range fake.Requests() {
		if r.Auth != linearE2EKey {
			t.Errorf("request %s sent Authorization %q, want the configured key", r.Operation, r.Auth)
		}
	}
	// Besides the agent's two writes, Symphony itself moves the issue to In Progress when it
	// dispatches it and opens the workpad comment; every write names the issue.
	stateIDs := map[string]string{}
	for _, st := range team.States {
		stateIDs[st.ID] = st.Name
	}
	var agentComments int
	var moves []string
	for _, m := range fake.Mutations() {
		switch m.Field {
		case "commentCreate":
			if m.Input["issueId"] != issue.ID {
				t.Errorf("commentCreate on %v, want %s", m.Input["issueId"], issue.ID)
			}
			if m.Input["body"] == comment {
				agentComments++
			}
		case "issueUpdate":
			if m.ID != issue.ID {
				t.Errorf("issueUpdate of %s, want %s", m.ID, issue.ID)
			}
			id, _ := m.Input["stateId"].(string)
			moves = append(moves, stateIDs[id])
		default:
			t.Errorf("unexpected mutation %s %+v", m.Field, m)
		}
	}
	if agentComments != 1 {
		t.Errorf("fake saw the agent's comment created %d times, want once: %+v", agentComments, fake.Mutations())
	}
	if want := []string{"In Progress", "Human Review"}; !slices.Equal(moves, want) {
		t.Errorf("issueUpdate moves %q, want %q (dispatch, then the agent's hand-off)", moves, want)
	}
	all := modelToolOutputs(mock)
	for _, want := range []string{`"identifier": "` + id + `"`, `<linear_issue_title>`, "linear key: []", `"state": "Human Review"`} {
		if !strings.Contains(all, want) {
			t.Errorf("tool outputs lack %s:\n%s", want, all)
		}
	}
	if is, _ := fake.Issue(other.ID); is.StateName != "Todo" || len(fake.Comments(other.ID)) != 0 {
		t.Errorf("%s, assigned to someone else, was touched: state %q, comments %+v", other.Identifier, is.StateName, fake.Comments(other.ID))
	}
	if is, _ := fake.Issue(issue.ID); is.StateName != "Human Review" {
		t.Errorf("%s ended in %q, want the hand-off state Human Review", id, is.StateName)
	}
	for _, r := range mock.Requests() {
		for _, in := range r.Input {
			if strings.Contains(string(in), linearE2EKey) {
				t.Errorf("the Linear API key reached the model: %s", in)
			}
		}
	}
	var bodies []string
	for _, c := range fake.Comments(issue.ID) {
		bodies = append(bodies, c.Body)
	}
	if !strings.Contains(strings.Join(bodies, "\n"), comment) {
		t.Errorf("the issue's comments lack the agent's comment: %q", bodies)
	}
	if msg := testenv.GitOutput(t, e.src, "log", "-1", "--format=%s", "auto/"+id); msg != "work on "+id {
		t.Errorf("branch auto/%s head %q, want the agent's commit", id, msg)
	}

	st, err := store.Open(context.Background(), store.Options{StateRoot: e.state, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(context.Background(), store.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Status != store.StatusSuccess || runs[0].IssueIdentifier != id || runs[0].Attempt != 0 {
		t.Fatalf("runs = %+v, want exactly one successful first attempt at %s", runs, id)
	}
	scanForLinearKey(t, e.state, stdout.String()+stderr.String())
}

func scanForLinearKey(t *testing.T, root, output string) {
	t.Helper()
	files := 0
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("read %s: %v", path, err)
			return nil
		}
		files++
		if strings.Contains(string(data), linearE2EKey) {
			t.Errorf("the Linear API key is in %s", path)
		}
		return nil
	})
	if files < 3 {
		t.Errorf("only %d files under the state root; expected the store, audit log and log file", files)
	}
	if strings.Contains(output, linearE2EKey) {
		t.Errorf("symphony printed the Linear API key")
	}
}
