package linear

import (
	"context"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/linear/lineartest"
)

func newFake(t *testing.T) *lineartest.Server {
	t.Helper()
	return lineartest.NewServer(t, lineartest.Schema(t), lineartest.Options{})
}

func settings(routes ...tracker.Route) tracker.Settings {
	return tracker.Settings{
		Routes:         routes,
		ActiveStates:   []string{"Todo", "In Progress"},
		TerminalStates: []string{"Done", "Canceled"},
	}
}

func newClient(t *testing.T, srv *lineartest.Server, s tracker.Settings) *Client {
	t.Helper()
	c, err := New(Options{Endpoint: srv.URL, APIKey: lineartest.APIKey, Settings: s, HTTPClient: nil})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func identifiers(issues []issue.Issue) []string {
	out := make([]string, 0, len(issues))
	for _, is := range issues {
		out = append(out, is.Identifier)
	}
	return out
}
