package audit

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/symphony-go/symphony/internal/secretscan"
)

// memHead is a checkpoint kept in memory, so each fuzz iteration avoids opening a database.
type memHead struct {
	mu   sync.Mutex
	seq  uint64
	hash string
}

func (m *memHead) AuditHead(context.Context) (uint64, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seq, m.hash, nil
}

func (m *memHead) SetAuditHead(_ context.Context, seq uint64, hash string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq > m.seq {
		m.seq, m.hash = seq, hash
	}
	return nil
}

// FuzzAppendVerify checks that whatever text reaches a record (identifiers, detail keys and
// values) is written in a form that verifies and reads back.
func FuzzAppendVerify(f *testing.F) {
	for _, s := range []string{"", "plain", "<script>&amp;</script>", "\u2028\u2029", "\xff\xfe invalid utf8", "tab\there\nnewline", `quote " and \ backslash`, "sk-proj-" + strings.Repeat("a", 30), "1e400"} {
		f.Add(s, int64(len(s)))
	}
	f.Fuzz(func(t *testing.T, s string, n int64) {
		ctx := context.Background()
		dir := t.TempDir()
		head := &memHead{}
		l, err := Open(ctx, Options{Dir: dir, Redactor: secretscan.New(), Head: head})
		if err != nil {
			t.Fatal(err)
		}
		ev := Event{IssueID: s, IssueIdentifier: s, RunID: s, Type: EventToolCall,
			Details: map[string]any{"text": s, "n": n, "list": []any{s, n, nil, true}, "k" + s: s}}
		for range 2 {
			if _, err := l.Append(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := Verify(ctx, VerifyOptions{Dir: dir, Head: head})
		if err != nil || !r.Intact() || r.Torn != nil || r.Records != 2 {
			t.Fatalf("verify of freshly written records: %+v %v break %s", r, err, r.Break)
		}
		recs, err := Query(QueryOptions{Dir: dir})
		if err != nil || len(recs) != 2 {
			t.Fatalf("query: %d records, %v", len(recs), err)
		}
	})
}

// FuzzVerifyFile feeds arbitrary bytes to Verify and Query as a day file: they must report,
// never panic, and any break must point inside the file.
func FuzzVerifyFile(f *testing.F) {
	seedDir := f.TempDir()
	head := &memHead{}
	l, err := Open(context.Background(), Options{Dir: seedDir, Redactor: secretscan.New(), Head: head})
	if err != nil {
		f.Fatal(err)
	}
	for i := range 3 {
		if _, err := l.Append(context.Background(), benchEvent(i)); err != nil {
			f.Fatal(err)
		}
	}
	l.Close()
	days, _ := listDays(seedDir)
	valid, err := os.ReadFile(days[0].Path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)-7])
	f.Add(bytes.Replace(valid, []byte(`"seq":2`), []byte(`"seq":9`), 1))
	f.Add([]byte("{}\n"))
	f.Add([]byte(`{"schema":1,"seq":1,"previous_hash":"` + GenesisHash + `","record_hash":"` + GenesisHash + `"}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "2026-03-14.ndjson"), data, 0o600); err != nil {
			t.Fatal(err)
		}
		r, err := Verify(context.Background(), VerifyOptions{Dir: dir})
		if err != nil {
			t.Fatalf("Verify returned an error for file content: %v", err)
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		if r.Break != nil && (r.Break.Line < 1 || r.Break.Line > lines+1 || r.Break.Detail == "") {
			t.Fatalf("break outside the file or unexplained: %s (file has %d lines)", r.Break, lines)
		}
		if r.Intact() && r.Records > lines {
			t.Fatalf("%d records counted in %d lines", r.Records, lines)
		}
		_, _ = Query(QueryOptions{Dir: dir})
	})
}
