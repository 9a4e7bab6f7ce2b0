package github

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/github/githubtest"
)

// fakeTime is the clock both the client and the fake read; Sleep advances it at once and
// records how long the client asked to wait.
type fakeTime struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeTime() *fakeTime {
	return &fakeTime{now: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
}

func (f *fakeTime) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeTime) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sleeps = append(f.sleeps, d)
	f.now = f.now.Add(d)
	return nil
}

func (f *fakeTime) Sleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

type fixture struct {
	srv    *githubtest.Server
	client *Client
	clock  *fakeTime
	repo   Repo
}

const (
	testOwner = "octo"
	testName  = "hello"
	testFull  = testOwner + "/" + testName
)

// newFixture starts a fake GitHub with octo/hello and a client for it; adjust tunes the
// client's options (the clock, endpoint and token are set already).
func newFixture(t *testing.T, fakeOpts githubtest.Options, adjust func(*Options)) *fixture {
	t.Helper()
	clock := newFakeTime()
	fakeOpts.Now = clock.Now
	srv := githubtest.NewServer(t, fakeOpts)
	srv.AddRepository(githubtest.Repository{Owner: testOwner, Name: testName, Branches: map[string]string{
		"main": "1111111111111111111111111111111111111111", "feature": "2222222222222222222222222222222222222222",
	}})
	opts := Options{
		Endpoint: Endpoint{REST: srv.URL, GraphQL: srv.URL + "/graphql"},
		Token:    githubtest.Token,
		Timeout:  5 * time.Second,
		Sleep:    clock.Sleep,
		Now:      clock.Now,
	}
	if adjust != nil {
		adjust(&opts)
	}
	client, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, client: client, clock: clock, repo: Repo{Host: "github.com", Owner: testOwner, Name: testName}}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
