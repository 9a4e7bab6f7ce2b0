package memory

import (
	"slices"
	"strconv"
	"testing"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/trackertest"
)

func TestContract(t *testing.T) {
	trackertest.Run(t, trackertest.Fixture{
		Active: "Todo", Next: "In Review", Terminal: "Done", MissingID: "missing",
		New: func(t *testing.T, seeds []trackertest.Seed) (tracker.Tracker, map[string]string) {
			ids := map[string]string{}
			var issues []issue.Issue
			for i, s := range seeds {
				id := "id-" + strconv.Itoa(i+1)
				ids[s.Title] = id
				is := issue.Issue{ID: id, Identifier: "MEM-" + strconv.Itoa(i+1), Title: s.Title, State: s.State}
				if s.BlockedBy != "" {
					blocker := issues[slices.IndexFunc(issues, func(b issue.Issue) bool { return b.Title == s.BlockedBy })]
					is.BlockedBy = []issue.Blocker{{ID: blocker.ID, Identifier: blocker.Identifier, State: blocker.State}}
				}
				issues = append(issues, is)
			}
			tr, err := New(Options{Issues: issues, Settings: tracker.Settings{ActiveStates: []string{"Todo"}, TerminalStates: []string{"Done"},
				Routes: []tracker.Route{{Key: "main", Default: true}}}})
			if err != nil {
				t.Fatal(err)
			}
			return tr, ids
		},
	})
}
