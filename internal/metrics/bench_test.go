package metrics

import (
	"fmt"
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/store"
)

// BenchmarkObserverCalls is what the scheduling loop pays per reported event.
func BenchmarkObserverCalls(b *testing.B) {
	m := New(Options{Repositories: []string{"app", "api"}})
	d := agent.TokenUsage{UncachedInput: 10, CachedInput: 20, Output: 5, Total: 35}
	b.ReportAllocs()
	for b.Loop() {
		m.OnTokens("app", d)
		m.OnTurn("app", time.Second)
		m.OnExit("api", store.StatusSuccess, "", time.Minute)
	}
}

// BenchmarkScrape serves one full scrape with 200 running issues in the snapshot.
func BenchmarkScrape(b *testing.B) {
	m := New(Options{Repositories: []string{"app", "api"}})
	snap := busySnapshot()
	for i := range 200 {
		snap.Running = append(snap.Running, orchestrator.RunningRow{IssueID: fmt.Sprint(i), RepoKey: "app"})
	}
	m.Watch(&fakeSource{snap: snap})
	m.OnExit("app", store.StatusSuccess, "", time.Minute)
	h := m.Handler()
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
		_, _ = io.Copy(io.Discard, rec.Body)
	}
}
