package audit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const tornBytes = `{"schema":1,"seq":61,"ts":"2026-03-16T12:30:00Z","event_ty`

func TestTornTailIsReportedThenRecordedOnStart(t *testing.T) {
	f := newFixture(t)
	f.writeChain(t, 60)
	newest := f.day("2026-03-16")
	before, _ := os.ReadFile(newest)
	fh, err := os.OpenFile(newest, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.WriteString(tornBytes)
	fh.Close()

	r := f.verify(t)
	if !r.Intact() || r.Torn == nil {
		t.Fatalf("torn tail: intact=%v torn=%+v break=%s", r.Intact(), r.Torn, r.Break)
	}
	if *r.Torn != (TornTail{File: "2026-03-16.ndjson", Line: 13, Offset: int64(len(before)), Bytes: len(tornBytes)}) {
		t.Fatalf("torn = %+v", *r.Torn)
	}

	l := f.open(t, stepClock(chainStart.Add(61*time.Hour), time.Minute))
	seq, _ := l.Head()
	l.Close()
	if seq != 61 {
		t.Fatalf("head after repair = %d, want 61 (the repair record)", seq)
	}
	recs, err := Query(QueryOptions{Dir: f.dir, From: "2026-03-16"})
	if err != nil {
		t.Fatal(err)
	}
	rep := recs[len(recs)-1]
	if rep.EventType != EventTornLineRepaired || rep.Details["file"] != "2026-03-16.ndjson" || rep.Details["bytes"] != jsonNumber(len(tornBytes)) {
		t.Fatalf("repair record = %+v", rep)
	}
	frag, err := os.ReadFile(filepath.Join(f.dir, rep.Details["fragment"].(string)))
	if err != nil || string(frag) != tornBytes {
		t.Fatalf("fragment = %q, %v; want the torn bytes kept", frag, err)
	}
	if r := f.verify(t); !r.Intact() || r.Torn != nil || r.Records != 61 {
		t.Fatalf("after repair: %+v break %s", r, r.Break)
	}
}

func TestRepairCutShortByACrashIsRecordedNextStart(t *testing.T) {
	f := newFixture(t)
	f.writeChain(t, 3)
	tornDir := filepath.Join(f.dir, TornDirName)
	os.MkdirAll(tornDir, 0o700)
	// The fragment was saved and cut from the day file, then the process died before the
	// repair record was written.
	pending := filepath.Join(tornDir, "2026-03-14.line-4.offset-900.fragment.pending")
	if err := os.WriteFile(pending, []byte(tornBytes), 0o600); err != nil {
		t.Fatal(err)
	}
	l := f.open(t, nil)
	l.Close()
	recs, err := Query(QueryOptions{Dir: f.dir})
	if err != nil {
		t.Fatal(err)
	}
	last := recs[len(recs)-1]
	if len(recs) != 4 || last.EventType != EventTornLineRepaired || last.Details["line"] != jsonNumber(4) || last.Details["offset"] != jsonNumber(900) {
		t.Fatalf("records = %d, last = %+v", len(recs), last)
	}
	if _, err := os.Stat(pending); !os.IsNotExist(err) {
		t.Fatalf("pending marker still present after the repair was recorded: %v", err)
	}
	if _, err := os.Stat(strings.TrimSuffix(pending, pendingSuffix)); err != nil {
		t.Fatalf("recorded fragment missing: %v", err)
	}
}

func TestTornLineInsideTheChainIsABreak(t *testing.T) {
	f := newFixture(t)
	f.writeChain(t, 30)
	older := f.day("2026-03-14")
	b, _ := os.ReadFile(older)
	os.WriteFile(older, b[:len(b)-10], 0o600)
	r := f.verify(t)
	if r.Intact() || r.Break.Problem != ProblemTornMidChain || r.Break.File != "2026-03-14.ndjson" || r.Break.Line != 24 {
		t.Fatalf("report = %+v, break %s", r, r.Break)
	}
	// A break in an older file does not stop the writer; verify keeps reporting it.
	f.open(t, nil).Close()
}

func TestRepairRecordedBeforeACrashIsNotRecordedTwice(t *testing.T) {
	f := newFixture(t)
	f.writeChain(t, 3)
	tearNewestFile(t, f.root)
	f.open(t, nil).Close()
	frags, _ := filepath.Glob(filepath.Join(f.dir, TornDirName, "*.fragment"))
	if len(frags) != 1 {
		t.Fatalf("fragments = %v, want one", frags)
	}
	// The repair record was written and synced, then the process died before the rename.
	if err := os.Rename(frags[0], frags[0]+pendingSuffix); err != nil {
		t.Fatal(err)
	}
	l := f.open(t, nil)
	seq, _ := l.Head()
	l.Close()
	if seq != 4 {
		t.Fatalf("head = %d after restart, want 4: the repair was recorded again", seq)
	}
	if _, err := os.Stat(frags[0]); err != nil {
		t.Fatalf("fragment not marked recorded: %v", err)
	}
}
