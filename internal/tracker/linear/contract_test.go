package linear

import (
	"testing"

	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/linear/lineartest"
	"github.com/symphony-go/symphony/internal/tracker/trackertest"
)

func TestContract(t *testing.T) {
	trackertest.Run(t, trackertest.Fixture{
		Active: "Todo", Next: "Human Review", Terminal: "Done", FixedStates: true, MissingID: "00000000-0000-4000-8000-000000000000",
		New: func(t *testing.T, seeds []trackertest.Seed) (tracker.Tracker, map[string]string) {
			srv := newFake(t)
			srv.AddTeam(lineartest.Team{Key: "ENG"})
			ids := map[string]string{}
			for _, s := range seeds {
				ids[s.Title] = srv.AddIssue(lineartest.Issue{TeamKey: "ENG", Title: s.Title, StateName: s.State}).ID
			}
			c := newClient(t, srv, tracker.Settings{ActiveStates: []string{"Todo"}, TerminalStates: []string{"Done"},
				Scope: tracker.Scope{Team: "ENG"}, Routes: []tracker.Route{{Key: "main", Default: true}}})
			return c, ids
		},
	})
}
