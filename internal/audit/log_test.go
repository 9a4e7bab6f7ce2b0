package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/secretscan"
)

func TestOpenRejectsBadOptions(t *testing.T) {
	f := newFixture(t)
	red := secretscan.New()
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no dir", Options{Redactor: red, Head: f.store}, "Dir is empty"},
		{"no redactor", Options{Dir: f.dir, Head: f.store}, "Redactor is required"},
		{"no head", Options{Dir: f.dir, Redactor: red}, "Head is required"},
		{"negative batch", Options{Dir: f.dir, Redactor: red, Head: f.store, MaxBatch: -1}, "must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Open(context.Background(), tt.opts)
			if err == nil {
				l.Close()
				t.Fatal("Open accepted bad options")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestAppendRejectsBadEvents(t *testing.T) {
	f := newFixture(t)
	l := f.open(t, nil)
	defer l.Close()
	tests := []struct {
		name string
		ev   Event
		want string
	}{
		{"empty type", Event{}, `event type ""`},
		{"spaces in type", Event{Type: "Tool Call"}, `event type "Tool Call"`},
		{"details that are not JSON", Event{Type: EventToolCall, Details: map[string]any{"f": func() {}}}, "tool_call event details"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := l.Append(context.Background(), tt.ev)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one mentioning %s", err, tt.want)
			}
		})
	}
	if seq, _ := l.Head(); seq != 0 {
		t.Fatalf("rejected events advanced the chain to %d", seq)
	}
}

func TestChainContinuesAcrossRestartAndDays(t *testing.T) {
	f := newFixture(t)
	f.writeChain(t, 30)
	l := f.open(t, stepClock(chainStart.Add(72*time.Hour), time.Minute))
	rec, err := l.Append(context.Background(), Event{IssueID: "issue-a", Type: EventOperatorAction, Details: map[string]any{"action": "pause"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, f.day("2026-03-15"))
	last, err := decodeLine([]byte(strings.TrimSuffix(lines[5], "\n")))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Seq != 31 || rec.PreviousHash != last.RecordHash {
		t.Fatalf("new day's first record = seq %d prev %s; want seq 31 linking to %s", rec.Seq, short(rec.PreviousHash), short(last.RecordHash))
	}
	if _, err := os.Stat(f.day("2026-03-17")); err != nil {
		t.Fatalf("record for 2026-03-17 not in its own file: %v", err)
	}
	if r := f.verify(t); !r.Intact() || r.Records != 31 || r.Files != 3 {
		t.Fatalf("report = %+v, break %s", r, r.Break)
	}
}

func TestClockStepBackStaysInCurrentFile(t *testing.T) {
	f := newFixture(t)
	times := []time.Time{chainStart.Add(25 * time.Hour), chainStart}
	i := 0
	l := f.open(t, func() time.Time { i++; return times[i-1] })
	for range times {
		if _, err := l.Append(context.Background(), Event{Type: EventTokenUsage}); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	if _, err := os.Stat(f.day("2026-03-14")); err == nil {
		t.Fatal("a record whose clock stepped back opened an earlier day file")
	}
	if r := f.verify(t); !r.Intact() || r.Records != 2 {
		t.Fatalf("report = %+v, break %s", r, r.Break)
	}
}

func TestAppendPromptStoresHashAndRedactedPreviewOnly(t *testing.T) {
	f := newFixture(t)
	key := "lin_api_" + strings.Repeat("Q", 40)
	// The key straddles the preview's cut: redacting after cutting would leave its prefix.
	prompt := strings.Repeat("p", 189) + " " + key + " and the rest of the prompt body"
	l, err := Open(context.Background(), Options{Dir: f.dir, Redactor: secretscan.New(), Head: f.store, PreviewChars: 200})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := l.AppendPrompt(context.Background(), Event{IssueID: "issue-a", Details: map[string]any{"turn": 1}}, prompt)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	sum := sha256.Sum256([]byte(prompt))
	d := rec.Details
	preview, _ := d["prompt_preview"].(string)
	if rec.EventType != EventPromptSent || d["prompt_sha256"] != hex.EncodeToString(sum[:]) || d["prompt_preview_truncated"] != true || d["turn"] == nil {
		t.Fatalf("details = %v", d)
	}
	if n := len([]rune(preview)); n != 200 || strings.Contains(preview, "lin_api_") {
		t.Fatalf("preview (%d chars) = %q", n, preview)
	}
	b, _ := os.ReadFile(f.day(string(appendDay(nil, time.Now()))))
	if strings.Contains(string(b), "rest of the prompt body") || strings.Contains(string(b), key) {
		t.Fatal("the prompt body reached the audit file")
	}
}

func TestQueryReturnsAnIssuesEventsInOrder(t *testing.T) {
	f := newFixture(t)
	f.writeChain(t, 60)
	tests := []struct {
		name     string
		opts     QueryOptions
		n        int
		firstSeq uint64
	}{
		{"by id", QueryOptions{Issue: "issue-b"}, 20, 2},
		{"by identifier", QueryOptions{Issue: "ENG-2"}, 20, 2},
		{"by id on one day", QueryOptions{Issue: "issue-b", From: "2026-03-15", To: "2026-03-15"}, 8, 26},
		{"everything", QueryOptions{}, 60, 1},
		{"unknown issue", QueryOptions{Issue: "nope"}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Dir = f.dir
			recs, err := Query(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != tt.n {
				t.Fatalf("got %d records, want %d", len(recs), tt.n)
			}
			for i := 1; i < len(recs); i++ {
				if recs[i].Seq <= recs[i-1].Seq {
					t.Fatalf("records out of order at %d: %d after %d", i, recs[i].Seq, recs[i-1].Seq)
				}
			}
			if tt.n > 0 && recs[0].Seq != tt.firstSeq {
				t.Fatalf("first seq = %d, want %d", recs[0].Seq, tt.firstSeq)
			}
		})
	}
	if _, err := Query(QueryOptions{Dir: f.dir, From: "yesterday"}); err == nil {
		t.Fatal("bad date accepted")
	}
}

func TestHeadIsCheckpointedAfterFsync(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	l, err := Open(ctx, Options{Dir: f.dir, Redactor: secretscan.New(), Head: f.store, MaxBatch: 3, FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	appendN := func(n int) {
		for i := 0; i < n; i++ {
			if _, err := l.Append(ctx, Event{Type: EventToolCall}); err != nil {
				t.Fatal(err)
			}
		}
	}
	stored := func() uint64 { s, _, _ := f.store.AuditHead(ctx); return s }
	appendN(2)
	if got := stored(); got != 0 {
		t.Fatalf("checkpoint %d before any fsync", got)
	}
	appendN(1)
	if got := stored(); got != 3 {
		t.Fatalf("checkpoint %d after a full batch, want 3", got)
	}
	appendN(1)
	if err := l.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	seq, hash := l.Head()
	if s, h, _ := f.store.AuditHead(ctx); s != seq || h != hash || s != 4 {
		t.Fatalf("checkpoint %d %s after Sync, log head %d %s", s, short(h), seq, short(hash))
	}
}

func TestFlushIntervalCheckpointsWithoutSync(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	l, err := Open(ctx, Options{Dir: f.dir, Redactor: secretscan.New(), Head: f.store, FlushInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.Append(ctx, Event{Type: EventToolCall}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if s, _, _ := f.store.AuditHead(ctx); s == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the flusher never checkpointed the head")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// appendOneAndAwaitCheckpoint opens a log that flushes every 2ms into head, appends one
// record and waits up to 10s for head to reach sequence 1, failing with stuck() if it never
// does. The caller closes the log.
func (f *fixture) appendOneAndAwaitCheckpoint(t *testing.T, head HeadStore, stuck func() string) *Log {
	t.Helper()
	ctx := context.Background()
	l, err := Open(ctx, Options{Dir: f.dir, Redactor: secretscan.New(), Head: head, FlushInterval: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(ctx, Event{Type: EventToolCall}); err != nil {
		l.Close()
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for s, _, _ := head.AuditHead(ctx); s != 1; s, _, _ = head.AuditHead(ctx) {
		if time.Now().After(deadline) {
			l.Close()
			t.Fatal(stuck())
		}
		time.Sleep(2 * time.Millisecond)
	}
	return l
}

// countingHead counts checkpoint writes.
type countingHead struct {
	memHead
	sets atomic.Int32
}

func (c *countingHead) SetAuditHead(ctx context.Context, seq uint64, hash string) error {
	c.sets.Add(1)
	return c.memHead.SetAuditHead(ctx, seq, hash)
}

// An idle log must not rewrite the same checkpoint to the run store on every flush tick.
func TestIdleFlushesDoNotRewriteTheCheckpoint(t *testing.T) {
	head := &countingHead{}
	l := newFixture(t).appendOneAndAwaitCheckpoint(t, head, func() string { return "the flusher never checkpointed the head" })
	defer l.Close()
	time.Sleep(50 * time.Millisecond)
	if err := l.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := head.sets.Load(); n != 1 {
		t.Fatalf("%d checkpoint writes for one record, want 1", n)
	}
}

func TestSecondWriterIsRefusedUntilTheFirstCloses(t *testing.T) {
	f := newFixture(t)
	first := f.open(t, nil)
	_, err := Open(context.Background(), Options{Dir: f.dir, Redactor: secretscan.New(), Head: f.store})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("second Open: %v", err)
	}
	first.Close()
	f.open(t, nil).Close()
}

func TestConcurrentAppendsStayChained(t *testing.T) {
	f := newFixture(t)
	l := f.open(t, nil)
	const writers, each = 8, 50
	var wg sync.WaitGroup
	seqs := make(chan uint64, writers*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				rec, err := l.Append(context.Background(), Event{Type: EventTokenUsage, Details: map[string]any{"writer": w, "i": i}})
				if err != nil {
					t.Error(err)
					return
				}
				seqs <- rec.Seq
			}
		}()
	}
	wg.Wait()
	close(seqs)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	seen := map[uint64]bool{}
	for s := range seqs {
		if seen[s] {
			t.Fatalf("sequence %d handed out twice", s)
		}
		seen[s] = true
	}
	if r := f.verify(t); !r.Intact() || r.Records != writers*each || r.CheckpointSeq != writers*each {
		t.Fatalf("report = %+v, break %s", r, r.Break)
	}
}
