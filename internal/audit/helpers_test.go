package audit

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
)

// stepClock returns a clock that advances by step on every reading, starting at start.
func stepClock(start time.Time, step time.Duration) func() time.Time {
	var mu sync.Mutex
	next := start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t := next
		next = next.Add(step)
		return t
	}
}

// chainStart puts 24 records on each UTC day with a one-hour step: 2026-03-14 holds sequences
// 1-24, 2026-03-15 holds 25-48, 2026-03-16 holds 49 onward.
var chainStart = time.Date(2026, 3, 14, 0, 30, 0, 0, time.UTC)

type fixture struct {
	root  string
	dir   string
	store *store.Store
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	root := t.TempDir()
	st, err := store.Open(context.Background(), store.Options{StateRoot: root, Redactor: secretscan.New()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &fixture{root: root, dir: Dir(root), store: st}
}

func (f *fixture) open(t testing.TB, now func() time.Time) *Log {
	t.Helper()
	l, err := Open(context.Background(), Options{Dir: f.dir, Redactor: secretscan.New(), Head: f.store, Now: now})
	if err != nil {
		t.Fatalf("audit.Open: %v", err)
	}
	return l
}

// writeChain appends n ordinary records one hour apart and closes the log.
func (f *fixture) writeChain(t testing.TB, n int) {
	t.Helper()
	l := f.open(t, stepClock(chainStart, time.Hour))
	types := []string{EventRunStarted, EventToolCall, EventCommandExecuted, EventFileChanged, EventTokenUsage, EventRunFinished}
	for i := 0; i < n; i++ {
		ev := Event{IssueID: "issue-" + string(rune('a'+i%3)), IssueIdentifier: "ENG-" + string(rune('1'+i%3)), RepoKey: "web", RunID: "run-1",
			Type: types[i%len(types)], Details: map[string]any{"n": i, "tool": "git", "args": []string{"status", "--short"}}}
		if _, err := l.Append(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) day(d string) string { return filepath.Join(f.dir, d+".ndjson") }

func (f *fixture) verify(t testing.TB) Report {
	t.Helper()
	r, err := Verify(context.Background(), VerifyOptions{Dir: f.dir, Head: f.store})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return r
}

func readLines(t testing.TB, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.SplitAfter(string(b), "\n")
}

func writeLines(t testing.TB, path string, lines []string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
}

// jsonNumber is how a number in a record's details reads back.
func jsonNumber(n int) json.Number { return json.Number(strconv.Itoa(n)) }
