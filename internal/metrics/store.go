package metrics

import (
	"context"
	"time"

	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/store"
)

// Operations of the store metrics, one per orchestrator.Store write.
const (
	opStartRun        = "start_run"
	opUpdateRun       = "update_run"
	opSetRunAgent     = "set_run_agent"
	opFinishRun       = "finish_run"
	opMarkInterrupted = "mark_interrupted"
	opPutRetry        = "put_retry"
	opDeleteRetry     = "delete_retry"
	opSetPause        = "set_pause"
	opPutHold         = "put_hold"
	opDeleteHold      = "delete_hold"
	opAddUsage        = "add_usage"
)

// Store wraps s so each write is timed, and each failed write counted, by operation. Reads
// pass through untimed: they happen at start-up and once per attempt, not on the write
// path the recorder queue depends on.
func (m *Metrics) Store(s orchestrator.Store) orchestrator.Store {
	return &timedStore{Store: s, m: m}
}

type timedStore struct {
	orchestrator.Store
	m *Metrics
}

func (s *timedStore) done(op string, start time.Time, err *error) {
	s.m.storeTime.WithLabelValues(op).Observe(time.Since(start).Seconds())
	if *err != nil {
		s.m.storeErrors.WithLabelValues(op).Inc()
	}
}

func (s *timedStore) StartRun(ctx context.Context, r store.Run) (out store.Run, err error) {
	defer s.done(opStartRun, time.Now(), &err)
	return s.Store.StartRun(ctx, r)
}

func (s *timedStore) UpdateRun(ctx context.Context, r store.Run) (err error) {
	defer s.done(opUpdateRun, time.Now(), &err)
	return s.Store.UpdateRun(ctx, r)
}

func (s *timedStore) SetRunAgent(ctx context.Context, repoKey, id string, pid int, startTime int64) (err error) {
	defer s.done(opSetRunAgent, time.Now(), &err)
	return s.Store.SetRunAgent(ctx, repoKey, id, pid, startTime)
}

func (s *timedStore) FinishRun(ctx context.Context, r store.Run) (err error) {
	defer s.done(opFinishRun, time.Now(), &err)
	return s.Store.FinishRun(ctx, r)
}

func (s *timedStore) MarkInterrupted(ctx context.Context, reason string) (n int, err error) {
	defer s.done(opMarkInterrupted, time.Now(), &err)
	return s.Store.MarkInterrupted(ctx, reason)
}

func (s *timedStore) PutRetry(ctx context.Context, r store.Retry) (err error) {
	defer s.done(opPutRetry, time.Now(), &err)
	return s.Store.PutRetry(ctx, r)
}

func (s *timedStore) DeleteRetry(ctx context.Context, repoKey, issueID string) (err error) {
	defer s.done(opDeleteRetry, time.Now(), &err)
	return s.Store.DeleteRetry(ctx, repoKey, issueID)
}

func (s *timedStore) SetPause(ctx context.Context, p store.Pause) (err error) {
	defer s.done(opSetPause, time.Now(), &err)
	return s.Store.SetPause(ctx, p)
}

func (s *timedStore) PutHold(ctx context.Context, h store.Hold) (err error) {
	defer s.done(opPutHold, time.Now(), &err)
	return s.Store.PutHold(ctx, h)
}

func (s *timedStore) DeleteHold(ctx context.Context, repoKey, issueID string) (err error) {
	defer s.done(opDeleteHold, time.Now(), &err)
	return s.Store.DeleteHold(ctx, repoKey, issueID)
}

func (s *timedStore) AddUsage(ctx context.Context, us ...store.Usage) (err error) {
	defer s.done(opAddUsage, time.Now(), &err)
	return s.Store.AddUsage(ctx, us...)
}
