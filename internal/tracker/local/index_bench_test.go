package local

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchIssues is the size of the directory the benchmarks poll.
const benchIssues = 1000

// benchDir writes benchIssues issue files, a third of them active, with a 1 KiB body each,
// dated an hour ago as a person's files would be between polls.
func benchDir(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	past := time.Now().Add(-time.Hour)
	for i := range benchIssues {
		path := filepath.Join(dir, benchIdentifier(i)+".md")
		if err := os.WriteFile(path, benchFile(i, 0), 0o644); err != nil {
			b.Fatal(err)
		}
		if err := os.Chtimes(path, past, past); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

func benchIdentifier(i int) string { return fmt.Sprintf("LOC-%d", i) }

// benchFile is issue i's file at its edit-th version; every version differs in size.
func benchFile(i, edit int) []byte {
	state := "Done"
	if i%3 == 0 {
		state = "Todo"
	}
	blocker := ""
	if i > 0 {
		blocker = "blocked_by: [" + benchIdentifier(i-1) + "]\n"
	}
	return []byte("---\ntitle: Issue " + strconv.Itoa(i) + "\nstate: " + state + "\nlabels: [backend, api]\npriority: 2\n" + blocker +
		"---\n" + strings.Repeat("Body text of the issue. ", 40) + strings.Repeat("edited ", edit) + "\n")
}

// editOne rewrites one issue file the way a person's editor would between two polls, dated
// in the past so the edit is told apart by its size and time, not by how recent it is.
func editOne(b *testing.B, dir string, n int) {
	b.Helper()
	i := n % benchIssues
	path := filepath.Join(dir, benchIdentifier(i)+".md")
	if err := os.WriteFile(path, benchFile(i, 1+n/benchIssues), 0o644); err != nil {
		b.Fatal(err)
	}
	when := time.Now().Add(-time.Hour).Add(time.Duration(n+1) * time.Second)
	if err := os.Chtimes(path, when, when); err != nil {
		b.Fatal(err)
	}
}

// bytesRead is what this process has read from files so far (Linux /proc/self/io rchar).
func bytesRead(b *testing.B) int64 {
	b.Helper()
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		b.Skipf("no /proc/self/io to count bytes read: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "rchar: "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("/proc/self/io has no rchar line")
	return 0
}

// BenchmarkPollOneChanged polls 1 000 issue files after one of them changed, the index
// checking every file's stamp.
func BenchmarkPollOneChanged(b *testing.B) { benchPoll(b, false) }

// BenchmarkPollOneChangedWatched is BenchmarkPollOneChanged with the watcher running.
func BenchmarkPollOneChangedWatched(b *testing.B) { benchPoll(b, true) }

// BenchmarkLookupByID refreshes one issue by id among 1 000 files, as a worker does after
// every turn.
func BenchmarkLookupByID(b *testing.B) { benchLookup(b, false) }

// BenchmarkLookupByIDWatched is BenchmarkLookupByID with the watcher running.
func BenchmarkLookupByIDWatched(b *testing.B) { benchLookup(b, true) }

// benchTracker indexes a fresh benchmark directory, watching it when asked.
func benchTracker(b *testing.B, watch bool) (*Tracker, string) {
	b.Helper()
	dir := benchDir(b)
	tr, err := New(Options{Dir: dir, Settings: settings()})
	if err != nil {
		b.Fatal(err)
	}
	if watch {
		watchCtx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- tr.Watch(watchCtx) }()
		b.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				b.Errorf("Watch: %v", err)
			}
		})
		waitUntil(b, "the watcher to start", func() bool { watching, _ := watcherState(tr, ""); return watching })
	}
	if _, err := tr.FetchCandidates(ctx()); err != nil {
		b.Fatal(err)
	}
	return tr, dir
}

func waitUntil(b *testing.B, what string, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func benchPoll(b *testing.B, watch bool) {
	tr, dir := benchTracker(b, watch)
	b.ReportAllocs()
	n := 0
	before, filesBefore := bytesRead(b), tr.filesRead.Load()
	for b.Loop() {
		b.StopTimer()
		editOne(b, dir, n)
		if watch {
			identifier := benchIdentifier(n % benchIssues)
			waitUntil(b, "the edit's event", func() bool { _, dirty := watcherState(tr, identifier); return dirty })
		}
		n++
		b.StartTimer()
		got, err := tr.FetchCandidates(ctx())
		if err != nil || len(got.Dispatchable) != (benchIssues+2)/3 {
			b.Fatalf("poll returned %d candidates, %v", len(got.Dispatchable), err)
		}
	}
	b.ReportMetric(float64(bytesRead(b)-before)/float64(n), "read-B/poll")
	b.ReportMetric(float64(tr.filesRead.Load()-filesBefore)/float64(n), "files-read/poll")
}

func benchLookup(b *testing.B, watch bool) {
	tr, _ := benchTracker(b, watch)
	b.ReportAllocs()
	n := 0
	before, filesBefore := bytesRead(b), tr.filesRead.Load()
	for b.Loop() {
		id := benchIdentifier(n % benchIssues)
		n++
		got, err := tr.FetchIssueStatesByIDs(ctx(), []string{id})
		if err != nil || len(got) != 1 || got[0].Identifier != id {
			b.Fatalf("lookup of %s = %+v, %v", id, got, err)
		}
	}
	b.ReportMetric(float64(bytesRead(b)-before)/float64(n), "read-B/lookup")
	b.ReportMetric(float64(tr.filesRead.Load()-filesBefore)/float64(n), "files-read/lookup")
}

// BenchmarkStateChangeThenLookup changes one issue's state among 1 000 files and looks it up
// by id, as a worker does when it starts on an issue and after its first turn.
func BenchmarkStateChangeThenLookup(b *testing.B) { benchStateChange(b, false) }

// BenchmarkStateChangeThenLookupWatched is BenchmarkStateChangeThenLookup with the watcher
// running, as the service runs it.
func BenchmarkStateChangeThenLookupWatched(b *testing.B) { benchStateChange(b, true) }

func benchStateChange(b *testing.B, watch bool) {
	tr, _ := benchTracker(b, watch)
	b.ReportAllocs()
	n := 0
	filesBefore := tr.filesRead.Load()
	for b.Loop() {
		id := benchIdentifier(n % benchIssues)
		state := "In Progress"
		if (n/benchIssues)%2 == 1 {
			state = "Todo"
		}
		n++
		if err := tr.UpdateIssueState(ctx(), id, state); err != nil {
			b.Fatal(err)
		}
		got, err := tr.FetchIssueStatesByIDs(ctx(), []string{id})
		if err != nil || len(got) != 1 || got[0].State != state {
			b.Fatalf("lookup of %s after its change to %s = %+v, %v", id, state, got, err)
		}
	}
	b.ReportMetric(float64(tr.filesRead.Load()-filesBefore)/float64(n), "files-read/op")
}
