// Package trackertest is the contract every tracker.Tracker passes, written once and run
// against each provider through a small Fixture that seeds its fake backend: candidates by
// state across pages, by-id refresh with unknown ids left out, the terminal-state fetch, state
// changes, comment create, list, update and delete, blockers, the error codes for missing
// issues and comments, and (for trackers that talk to a server) the codes for refused,
// unanswered and unreadable requests and the rate-limit back-off. Faults are described in
// faults.go.
package trackertest

import (
	"context"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

// Seed is an issue to store before the tracker is built.
type Seed struct {
	Title string
	// State is one of the Fixture's Active, Next or Terminal states.
	State string
	// BlockedBy is the title of an earlier seed that blocks this one.
	BlockedBy string
}

// Fixture adapts one provider to the contract.
type Fixture struct {
	// Active is the only active state; Next is another state an issue can move to; Terminal
	// ends work. All in the provider's spelling.
	Active, Next, Terminal string
	// FixedStates is true for trackers that refuse a state they do not know.
	FixedStates bool
	// New stores seeds in the provider's backend (where the backend's page size can be set,
	// small enough that the seeds span several pages) and returns a tracker whose settings have ActiveStates
	// [Active], TerminalStates [Terminal] and one default route "main", plus each seed's id
	// by title. MissingID is an id of the provider's shape that names no issue.
	New       func(t *testing.T, seeds []Seed) (tracker.Tracker, map[string]string)
	MissingID string
	// Faults, when set, lets the contract make the provider's backend fail. Trackers without
	// a server (local files, memory) leave it nil and their fault cases are skipped.
	Faults *Faults
}

// Run checks f's tracker against the contract.
func Run(t *testing.T, f Fixture) {
	seeds := []Seed{
		{Title: "first active", State: f.Active}, {Title: "second active", State: f.Active, BlockedBy: "first active"},
		{Title: "third active", State: f.Active}, {Title: "moving on", State: f.Next}, {Title: "finished", State: f.Terminal},
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	titles := func(issues []issue.Issue) []string {
		out := []string{}
		for _, is := range issues {
			out = append(out, is.Title)
		}
		sort.Strings(out)
		return out
	}

	t.Run("candidates by state across pages", func(t *testing.T) {
		tr, _ := f.New(t, seeds)
		got, err := tr.FetchCandidates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"first active", "second active", "third active"}; !slices.Equal(titles(got.Dispatchable), want) || len(got.Conflicts) != 0 {
			t.Fatalf("candidates %v (conflicts %d), want %v", titles(got.Dispatchable), len(got.Conflicts), want)
		}
		for _, is := range got.Dispatchable {
			if is.RepoKey != "main" || !issue.StateIn(is.State, []string{f.Active}) || is.ID == "" || is.Identifier == "" {
				t.Errorf("candidate %+v", is)
			}
		}
	})

	t.Run("blockers", func(t *testing.T) {
		tr, _ := f.New(t, seeds)
		got, err := tr.FetchCandidates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byTitle := map[string]issue.Issue{}
		for _, is := range got.Dispatchable {
			byTitle[is.Title] = is
		}
		blocked, blocker := byTitle["second active"], byTitle["first active"]
		if len(blocked.BlockedBy) != 1 || blocked.BlockedBy[0].Identifier != blocker.Identifier {
			t.Fatalf("second active is blocked by %+v, want only %s", blocked.BlockedBy, blocker.Identifier)
		}
		if b := byTitle["third active"].BlockedBy; len(b) != 0 {
			t.Fatalf("third active is blocked by %+v, want nothing", b)
		}
	})

	t.Run("refresh by id keeps order and leaves out unknown ids", func(t *testing.T) {
		tr, ids := f.New(t, seeds)
		got, err := tr.FetchIssueStatesByIDs(ctx, []string{ids["finished"], f.MissingID, ids["first active"]})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != ids["finished"] || got[1].ID != ids["first active"] || !issue.StateIn(got[0].State, []string{f.Terminal}) {
			t.Fatalf("refreshed %+v", got)
		}
		if got, err := tr.FetchIssueStatesByIDs(ctx, nil); err != nil || len(got) != 0 {
			t.Fatalf("no ids: %v, %v", got, err)
		}
	})

	t.Run("terminal fetch", func(t *testing.T) {
		tr, _ := f.New(t, seeds)
		got, err := tr.FetchIssuesByStates(ctx, []string{f.Terminal})
		if err != nil || !slices.Equal(titles(got), []string{"finished"}) {
			t.Fatalf("terminal issues %v, %v", titles(got), err)
		}
		if got, err := tr.FetchIssuesByStates(ctx, nil); err != nil || len(got) != 0 {
			t.Fatalf("no states: %v, %v", got, err)
		}
	})

	t.Run("state update", func(t *testing.T) {
		tr, ids := f.New(t, seeds)
		if err := tr.UpdateIssueState(ctx, ids["first active"], f.Next); err != nil {
			t.Fatal(err)
		}
		got, err := tr.FetchIssueStatesByIDs(ctx, []string{ids["first active"]})
		if err != nil || len(got) != 1 || !issue.StateIn(got[0].State, []string{f.Next}) {
			t.Fatalf("after the move: %+v, %v", got, err)
		}
		if err := tr.UpdateIssueState(ctx, f.MissingID, f.Next); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
			t.Fatalf("missing issue: %v", err)
		}
		if f.FixedStates {
			if err := tr.UpdateIssueState(ctx, ids["first active"], "No Such State"); !tracker.IsCode(err, tracker.CodeStateNotFound) {
				t.Fatalf("unknown state: %v", err)
			}
		}
	})

	t.Run("comments", func(t *testing.T) {
		tr, ids := f.New(t, seeds)
		id := ids["second active"]
		c, err := tr.CreateComment(ctx, id, "hello")
		if err != nil || c.ID == "" || c.Body != "hello" {
			t.Fatalf("created %+v, %v", c, err)
		}
		if _, err := tr.UpdateComment(ctx, id, c.ID, "edited"); err != nil {
			t.Fatal(err)
		}
		list, err := tr.ListComments(ctx, id)
		if err != nil || len(list) != 1 || list[0].ID != c.ID || list[0].Body != "edited" {
			t.Fatalf("comments %+v, %v", list, err)
		}
		if err := tr.DeleteComment(ctx, id, c.ID); err != nil {
			t.Fatal(err)
		}
		if err := tr.DeleteComment(ctx, id, c.ID); !tracker.IsCode(err, tracker.CodeCommentNotFound) {
			t.Fatalf("second delete: %v", err)
		}
		if _, err := tr.FetchIssueByIdentifier(ctx, f.MissingID); !tracker.IsCode(err, tracker.CodeIssueNotFound) {
			t.Fatalf("missing issue by identifier: %v", err)
		}
	})

	runFaults(t, f, seeds)
}
