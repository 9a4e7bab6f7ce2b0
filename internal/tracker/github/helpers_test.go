package github

import (
	"context"
	"testing"
	"time"

	ghapi "github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/github/githubtest"
	"github.com/symphony-go/symphony/internal/tracker"
)

var testStateLabels = map[string]string{
	"Todo":        "symphony:todo",
	"In Progress": "symphony:in-progress",
	"In Review":   "symphony:in-review",
}

type fixture struct {
	srv *githubtest.Server
	tr  *Tracker
}

// newFixture starts a fake GitHub holding octo/app and octo/lib and a tracker with one route
// per repository; adjust may change the tracker options before New.
func newFixture(t *testing.T, fake githubtest.Options, adjust func(*Options, *ghapi.Options)) *fixture {
	t.Helper()
	srv := githubtest.NewServer(t, fake)
	srv.AddRepository(githubtest.Repository{Owner: "octo", Name: "app"})
	srv.AddRepository(githubtest.Repository{Owner: "octo", Name: "lib"})
	clientOpts := ghapi.Options{
		Endpoint: ghapi.Endpoint{REST: srv.URL}, Token: githubtest.Token, Timeout: 5 * time.Second,
		ConditionalReads: true, MaxRateLimitWait: time.Millisecond, RetryBackoff: time.Millisecond,
	}
	opts := Options{
		Repos:          []string{"octo/app", "octo/lib"},
		StateLabels:    testStateLabels,
		PriorityLabels: map[string]int{"p1": 1, "p2": 2},
		Settings: tracker.Settings{
			ActiveStates:   []string{"Todo", "In Progress"},
			TerminalStates: []string{"Closed"},
			Routes: []tracker.Route{
				{Key: "app", Projects: []string{"octo/app"}},
				{Key: "lib", Projects: []string{"OCTO/lib"}},
			},
		},
	}
	if adjust != nil {
		adjust(&opts, &clientOpts)
	}
	client, err := ghapi.New(clientOpts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Client = client
	tr, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, tr: tr}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func identifiers[T any](items []T, id func(T) string) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}
