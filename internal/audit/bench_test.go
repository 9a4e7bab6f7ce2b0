package audit

import (
	"context"
	"crypto/ed25519"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
)

// TestMain removes the verify benchmark's fixture, built once per process.
func TestMain(m *testing.M) {
	code := m.Run()
	if verifyRoot != "" {
		os.RemoveAll(verifyRoot)
	}
	os.Exit(code)
}

func benchEvent(i int) Event {
	return Event{IssueID: "issue-1", IssueIdentifier: "ENG-1", RepoKey: "web", RunID: "run-1", SessionID: "thread-1-turn-1",
		Type: EventToolCall, Details: map[string]any{"tool": "linear_graphql", "step": i,
			"args": map[string]any{"query": "query Issue($id: String!) { issue(id: $id) { id state { name } } }", "variables": map[string]any{"id": "ENG-1"}}}}
}

// openStoreBackedLog opens a log in a fresh state root whose run store keeps its checkpoints,
// as the service runs it, signing them with key when it is not nil. The store closes when b
// ends; the caller closes the log.
func openStoreBackedLog(b *testing.B, key ed25519.PrivateKey) (*Log, string) {
	b.Helper()
	ctx := context.Background()
	root := b.TempDir()
	red := secretscan.New()
	st, err := store.Open(ctx, store.Options{StateRoot: root, Redactor: red})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	l, err := Open(ctx, Options{Dir: Dir(root), Redactor: red, Head: st, SigningKey: key})
	if err != nil {
		b.Fatal(err)
	}
	return l, root
}

// BenchmarkAppend measures appends with the default batched fsync (DefaultFlushInterval or
// DefaultMaxBatch records), the configuration the service runs with, unkeyed and with signed checkpoints.
func BenchmarkAppend(b *testing.B) {
	key, _ := testKey(1)
	for _, bc := range []struct {
		name string
		key  ed25519.PrivateKey
	}{{"unsigned", nil}, {"signed", key}} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			l, _ := openStoreBackedLog(b, bc.key)
			i := 0
			for b.Loop() {
				if _, err := l.Append(ctx, benchEvent(i)); err != nil {
					b.Fatal(err)
				}
				i++
			}
			if err := l.Close(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkAppendBatch appends command records one at a time and in batches of 256, the
// most the orchestrator's recorder hands over at once, and reports records per second and
// bytes written per record. fields= gives the same details as Fields (as the orchestrator
// gives a command's) instead of a map.
func BenchmarkAppendBatch(b *testing.B) {
	zero := 0
	// Each event builds its own output, as each command's is its own.
	output := func() string { return strings.Repeat("ok  \tgithub.com/example/pkg\t0.042s\n", 12) }
	command := func(i int) Event {
		return Event{IssueID: "issue-1", IssueIdentifier: "ENG-1", RepoKey: "web", RunID: "run-1", SessionID: "thread-1-turn-1",
			Type: EventCommandExecuted, Details: map[string]any{"command": "/bin/bash -lc 'go test ./pkg/...'", "cwd": "/srv/workspaces/ENG-1",
				"status": "completed", "exit_code": zero, "output_preview": output(), "step": i}}
	}
	commandFields := func(i int) Event {
		return Event{IssueID: "issue-1", IssueIdentifier: "ENG-1", RepoKey: "web", RunID: "run-1", SessionID: "thread-1-turn-1",
			Type: EventCommandExecuted, Fields: Fields{Text("command", "/bin/bash -lc 'go test ./pkg/...'"), Text("cwd", "/srv/workspaces/ENG-1"),
				Int("exit_code", int64(zero)), Text("output_preview", output()), Text("status", "completed"), Int("step", int64(i))}}
	}
	for _, bc := range []struct {
		name  string
		size  int
		event func(int) Event
	}{{"batch=1", 1, command}, {"batch=256", 256, command}, {"fields/batch=256", 256, commandFields}} {
		size := bc.size
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			l, root := openStoreBackedLog(b, nil)
			evs := make([]Event, size)
			n := 0
			for b.Loop() {
				for i := range evs {
					evs[i] = bc.event(n + i)
				}
				if _, err := l.AppendBatch(ctx, evs); err != nil {
					b.Fatal(err)
				}
				n += size
			}
			if err := l.Close(); err != nil {
				b.Fatal(err)
			}
			days, err := listDays(Dir(root))
			if err != nil {
				b.Fatal(err)
			}
			var written int64
			for _, d := range days {
				fi, err := os.Stat(d.Path)
				if err != nil {
					b.Fatal(err)
				}
				written += fi.Size()
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(written)/float64(n), "bytes/record")
		})
	}
}

// BenchmarkAppendSigningOverhead appends to an unkeyed and a keyed log in alternating
// batches and reports the keyed log's time per record relative to the unkeyed one (1.0 means
// no overhead), so load from other processes hits both sides alike.
func BenchmarkAppendSigningOverhead(b *testing.B) {
	ctx := context.Background()
	key, _ := testKey(1)
	unkeyed, _ := openStoreBackedLog(b, nil)
	keyed, _ := openStoreBackedLog(b, key)
	logs := [2]*Log{unkeyed, keyed}
	var spent [2]time.Duration
	const batch = 64
	i := 0
	for b.Loop() {
		for side, l := range logs {
			start := time.Now()
			for range batch {
				if _, err := l.Append(ctx, benchEvent(i)); err != nil {
					b.Fatal(err)
				}
				i++
			}
			spent[side] += time.Since(start)
		}
	}
	for _, l := range logs {
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(spent[1])/float64(spent[0]), "signed_vs_unsigned")
	b.ReportMetric(float64(i)/2/spent[0].Seconds(), "unsigned_records/s")
	b.ReportMetric(float64(i)/2/spent[1].Seconds(), "signed_records/s")
}

const verifyRecords = 100_000

var (
	verifyOnce  sync.Once
	verifyRoot  string
	verifyStore *store.Store
	verifyFiles []string
	verifyBytes int64
	verifyErr   error
)

// verifyFixture writes verifyRecords records over several days, once per process.
func verifyFixture(b *testing.B) {
	b.Helper()
	verifyOnce.Do(func() {
		ctx := context.Background()
		if verifyRoot, verifyErr = os.MkdirTemp("", "symphony-audit-bench-"); verifyErr != nil {
			return
		}
		red := secretscan.New()
		if verifyStore, verifyErr = store.Open(ctx, store.Options{StateRoot: verifyRoot, Redactor: red}); verifyErr != nil {
			return
		}
		l, err := Open(ctx, Options{Dir: Dir(verifyRoot), Redactor: red, Head: verifyStore, Now: stepClock(chainStart, 3*time.Second)})
		if err != nil {
			verifyErr = err
			return
		}
		for i := 0; i < verifyRecords; i++ {
			if _, err := l.Append(ctx, benchEvent(i)); err != nil {
				verifyErr = err
				return
			}
		}
		if verifyErr = l.Close(); verifyErr != nil {
			return
		}
		days, err := listDays(Dir(verifyRoot))
		if err != nil {
			verifyErr = err
			return
		}
		for _, d := range days {
			fi, err := os.Stat(d.Path)
			if err != nil {
				verifyErr = err
				return
			}
			verifyFiles = append(verifyFiles, d.Path)
			verifyBytes += fi.Size()
		}
	})
	if verifyErr != nil {
		b.Fatal(verifyErr)
	}
}

// BenchmarkVerify reports verify throughput and, when sha256sum is installed, how fast verify
// is relative to sha256sum hashing the same files (1.0 means as fast). The ratio is the median
// of five back-to-back pairs, so load from other processes hits both sides alike.
func BenchmarkVerify(b *testing.B) {
	verifyFixture(b)
	ctx := context.Background()
	verify := func() {
		r, err := Verify(ctx, VerifyOptions{Dir: Dir(verifyRoot), Head: verifyStore})
		if err != nil || !r.Intact() || r.Records != verifyRecords {
			b.Fatalf("verify: %+v %v", r, err)
		}
	}
	b.SetBytes(verifyBytes)
	for b.Loop() {
		verify()
	}
	sha, err := exec.LookPath("sha256sum")
	if err != nil {
		b.Logf("sha256sum not found; ratio not reported")
		return
	}
	b.StopTimer()
	var ratios, shaRates []float64
	for range 5 {
		start := time.Now()
		verify()
		verifySecs := time.Since(start).Seconds()
		start = time.Now()
		out, err := exec.Command(sha, verifyFiles...).Output()
		if err != nil || strings.Count(string(out), "\n") != len(verifyFiles) {
			b.Fatalf("sha256sum: %v", err)
		}
		shaSecs := time.Since(start).Seconds()
		ratios = append(ratios, shaSecs/verifySecs)
		shaRates = append(shaRates, float64(verifyBytes)/shaSecs/1e6)
	}
	slices.Sort(ratios)
	slices.Sort(shaRates)
	b.ReportMetric(ratios[2], "speed_vs_sha256sum")
	b.ReportMetric(shaRates[2], "sha256sum_MB/s")
	b.Logf("%d records, %d files, %.1f MB", verifyRecords, len(verifyFiles), float64(verifyBytes)/1e6)
}
