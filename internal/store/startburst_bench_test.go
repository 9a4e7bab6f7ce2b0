package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// BenchmarkSessionStartReads is the store's part of a burst of session starts: 200 workers
// at once each read their issue's token usage and cost, as a poll that dispatches 200 issues
// makes them do.
func BenchmarkSessionStartReads(b *testing.B) {
	s := openTest(b, b.TempDir())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		var wg sync.WaitGroup
		for i := range 200 {
			wg.Go(func() {
				id := fmt.Sprintf("B-%d", i)
				if _, err := s.IssueUsage(ctx, "bench", id); err != nil {
					b.Error(err)
				}
				if _, err := s.IssueCost(ctx, "bench", id); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
	}
	b.ReportMetric(float64(s.db.Stats().OpenConnections), "open-conns")
	b.ReportMetric(float64(s.db.Stats().MaxIdleClosed+s.db.Stats().MaxLifetimeClosed)/float64(b.N), "closed-conns/op")
}
