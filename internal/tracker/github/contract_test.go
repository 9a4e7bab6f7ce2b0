package github

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	ghapi "github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/github/githubtest"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/trackertest"
)

// contractFaults are GitHub's answers for each fault the contract asks for.
var contractFaults = map[trackertest.FaultKind]githubtest.Fault{
	trackertest.FaultUnauthorized: {Status: http.StatusUnauthorized},
	trackertest.FaultForbidden:    {Status: http.StatusForbidden},
	trackertest.FaultServerError:  {Status: http.StatusInternalServerError},
	trackertest.FaultMalformed:    {MalformedJSON: true},
	trackertest.FaultHang:         {Hang: true},
	trackertest.FaultRateLimited:  {Times: 1, SecondaryRateLimit: true, Status: http.StatusTooManyRequests, RetryAfter: trackertest.RateLimitWait},
}

func TestContract(t *testing.T) {
	build := func(t *testing.T, seeds []trackertest.Seed, now func() time.Time) (*fixture, map[string]string) {
		f := newFixture(t, githubtest.Options{MaxPerPage: 2}, func(o *Options, c *ghapi.Options) {
			o.Repos = []string{"octo/app"}
			o.Settings.ActiveStates, o.Settings.TerminalStates = []string{"Todo"}, []string{"Closed"}
			o.Settings.Routes = []tracker.Route{{Key: "main", Default: true}}
			if now != nil {
				c.Now, c.Timeout = now, trackertest.RequestTimeout
			}
		})
		ids, numbers := map[string]string{}, map[string]int{}
		for _, s := range seeds {
			is := githubtest.Issue{Title: s.Title}
			if s.State == "Closed" {
				is.State = githubtest.StateClosed
			} else {
				is.Labels = []string{testStateLabels[s.State]}
			}
			if s.BlockedBy != "" {
				is.Body = "Blocked by #" + strconv.Itoa(numbers[s.BlockedBy])
			}
			numbers[s.Title] = f.srv.AddIssue("octo/app", is).Number
			ids[s.Title] = identifier(ghapi.Repo{Owner: "octo", Name: "app"}, numbers[s.Title])
		}
		return f, ids
	}
	trackertest.Run(t, trackertest.Fixture{
		Active: "Todo", Next: "In Review", Terminal: "Closed", FixedStates: true, MissingID: "octo/app#999",
		New: func(t *testing.T, seeds []trackertest.Seed) (tracker.Tracker, map[string]string) {
			f, ids := build(t, seeds, nil)
			return f.tr, ids
		},
		Faults: &trackertest.Faults{
			Request: tracker.CodeTrackerRequest, Status: tracker.CodeTrackerStatus, Response: tracker.CodeTrackerResponse,
			New: func(t *testing.T, seeds []trackertest.Seed, now func() time.Time) (tracker.Tracker, trackertest.Fake) {
				f, _ := build(t, seeds, now)
				return f.tr, trackertest.Fake{
					Inject:   func(k trackertest.FaultKind) { f.srv.Inject(contractFaults[k]) },
					Requests: func() int { return len(f.srv.Requests()) },
				}
			},
		},
	})
}
