package github

import (
	"testing"

	ghapi "github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/github/githubtest"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/trackertest"
)

func TestContract(t *testing.T) {
	trackertest.Run(t, trackertest.Fixture{
		Active: "Todo", Next: "In Review", Terminal: "Closed", FixedStates: true, MissingID: "octo/app#999",
		New: func(t *testing.T, seeds []trackertest.Seed) (tracker.Tracker, map[string]string) {
			f := newFixture(t, githubtest.Options{MaxPerPage: 2}, func(o *Options, _ *ghapi.Options) {
				o.Repos = []string{"octo/app"}
				o.Settings.ActiveStates, o.Settings.TerminalStates = []string{"Todo"}, []string{"Closed"}
				o.Settings.Routes = []tracker.Route{{Key: "main", Default: true}}
			})
			ids := map[string]string{}
			for _, s := range seeds {
				is := githubtest.Issue{Title: s.Title}
				if s.State == "Closed" {
					is.State = githubtest.StateClosed
				} else {
					is.Labels = []string{testStateLabels[s.State]}
				}
				ids[s.Title] = identifier(ghapi.Repo{Owner: "octo", Name: "app"}, f.srv.AddIssue("octo/app", is).Number)
			}
			return f.tr, ids
		},
	})
}
