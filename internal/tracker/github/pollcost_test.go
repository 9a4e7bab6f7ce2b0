package github

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	ghapi "github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/github/githubtest"
	"github.com/symphony-go/symphony/internal/tracker"
)

// TestPollingCostStaysFarUnderTheRateLimit measures an hour of polling at a 30 s interval of 3
// repositories with 100 open issues each, with someone editing an issue every 5 minutes:
// conditional reads must keep the rate-limit cost under 10% of GitHub's 5,000 requests/hour,
// where unconditional polling costs every request.
func TestPollingCostStaysFarUnderTheRateLimit(t *testing.T) {
	const (
		pollsPerHour = int(time.Hour / (30 * time.Second))
		editEvery    = 10 // polls, i.e. every 5 minutes
		budget       = 5000
	)
	measure := func(conditional bool, polls int) (requests, charged int) {
		f := newFixture(t, githubtest.Options{}, func(o *Options, c *ghapi.Options) {
			c.ConditionalReads = conditional
			o.Repos = []string{"octo/app", "octo/lib", "octo/web"}
			o.Settings.Routes = []tracker.Route{{Key: "all", Default: true}}
		})
		f.srv.AddRepository(githubtest.Repository{Owner: "octo", Name: "web"})
		f.srv.SetRateLimit(budget, time.Now().Add(time.Hour))
		for _, repo := range []string{"octo/app", "octo/lib", "octo/web"} {
			for i := range 100 {
				f.srv.AddIssue(repo, githubtest.Issue{Title: "issue " + strconv.Itoa(i), Labels: []string{"symphony:todo"}})
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		for poll := range polls {
			if poll > 0 && poll%editEvery == 0 {
				f.srv.UpdateIssue("octo/lib", poll%100+1, func(is *githubtest.Issue) { is.Title += " (edited)" })
			}
			got, err := f.tr.FetchCandidates(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Dispatchable) != 300 {
				t.Fatalf("poll %d saw %d candidates, want 300", poll, len(got.Dispatchable))
			}
		}
		for _, r := range f.srv.Requests() {
			requests++
			if r.Status != http.StatusNotModified {
				charged++
			}
		}
		return requests, charged
	}
	requests, charged := measure(true, pollsPerHour)
	// Unconditional polling is charged for every request whatever changes, so a tenth of the
	// hour, scaled, measures it at a tenth of the test time.
	plainRequests, plainCharged := measure(false, pollsPerHour/10)
	plainRequests, plainCharged = plainRequests*10, plainCharged*10
	t.Logf("one hour at 30 s, 3 repositories x 100 open issues: conditional %d requests, %d charged (%.1f%% of %d/h); unconditional %d charged (%.1f%%)",
		requests, charged, 100*float64(charged)/budget, budget, plainCharged, 100*float64(plainCharged)/budget)
	if charged*10 >= budget {
		t.Fatalf("conditional polling is charged %d requests/hour, not under 10%% of %d", charged, budget)
	}
	if plainCharged != plainRequests || plainCharged <= charged {
		t.Fatalf("unconditional polling charged %d of %d; conditional %d: the measurement does not tell them apart", plainCharged, plainRequests, charged)
	}
}
