package orchestrator

import (
	"context"
	"sync"

	"github.com/symphony-go/symphony/internal/agent/agenttest"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

// scriptWait keeps every turn of an issue open until gate closes.
func scriptWait(gate <-chan struct{}) agenttest.Script {
	return agenttest.Script{Turns: []agenttest.Turn{{Wait: gate}}}
}

// callRecorder wraps a tracker, records calls and lets a test replace the by-id refresh.
type callRecorder struct {
	tracker.Tracker
	mu      sync.Mutex
	routes  []string
	byID    int
	refresh func(ctx context.Context, ids []string) ([]issue.Issue, error)
}

func (c *callRecorder) FetchRouteCandidates(ctx context.Context, key string) ([]issue.Issue, error) {
	c.mu.Lock()
	c.routes = append(c.routes, key)
	c.mu.Unlock()
	return c.Tracker.FetchRouteCandidates(ctx, key)
}

func (c *callRecorder) FetchIssueStatesByIDs(ctx context.Context, ids []string) ([]issue.Issue, error) {
	c.mu.Lock()
	c.byID++
	f := c.refresh
	c.mu.Unlock()
	if f != nil {
		return f(ctx, ids)
	}
	return c.Tracker.FetchIssueStatesByIDs(ctx, ids)
}

func (c *callRecorder) setRefresh(f func(ctx context.Context, ids []string) ([]issue.Issue, error)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refresh = f
}

func (c *callRecorder) routeCalls() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.routes...)
}

func (c *callRecorder) byIDCalls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byID
}
