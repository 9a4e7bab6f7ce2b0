package audit

import (
	"os"
	"strings"
	"testing"
)

// forge builds a record that chains correctly after prev and carries a valid hash, the way an
// attacker who knows the format would.
func forge(t *testing.T, prevLine string, seq uint64) string {
	t.Helper()
	prev, err := decodeLine([]byte(strings.TrimSuffix(prevLine, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	rec := Record{Schema: SchemaVersion, Seq: seq, Time: prev.Time, IssueID: "issue-a", EventType: EventPRAction,
		Details: map[string]any{"action": "merged"}, PreviousHash: prev.RecordHash}
	b, err := seal(&rec)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

// rechain rewrites every record from line index i of the file at path onward with correct
// previous and record hashes, after edit changed line i: a full forgery of the file's tail.
func rechain(t *testing.T, path string, i int, edit func(*Record)) {
	t.Helper()
	lines := readLines(t, path)
	prevHash := ""
	if i > 0 {
		p, err := decodeLine([]byte(strings.TrimSuffix(lines[i-1], "\n")))
		if err != nil {
			t.Fatal(err)
		}
		prevHash = p.RecordHash
	}
	for j := i; j < len(lines) && lines[j] != ""; j++ {
		rec, err := decodeLine([]byte(strings.TrimSuffix(lines[j], "\n")))
		if err != nil {
			t.Fatal(err)
		}
		if j == i {
			edit(rec)
		}
		if prevHash != "" {
			rec.PreviousHash = prevHash
		}
		b, err := seal(rec)
		if err != nil {
			t.Fatal(err)
		}
		lines[j] = string(b) + "\n"
		prevHash = rec.RecordHash
	}
	writeLines(t, path, lines)
}

func TestVerifyDetectsTampering(t *testing.T) {
	const d14, d15, d16 = "2026-03-14", "2026-03-15", "2026-03-16"
	tests := []struct {
		name    string
		tamper  func(t *testing.T, f *fixture)
		file    string
		line    int
		seq     uint64
		problem string
	}{
		{"flip a byte inside a value", func(t *testing.T, f *fixture) {
			lines := readLines(t, f.day(d15))
			lines[4] = strings.Replace(lines[4], `"tool":"git"`, `"tool":"gjt"`, 1)
			writeLines(t, f.day(d15), lines)
		}, d15, 5, 29, ProblemHashMismatch},
		{"flip a structural byte", func(t *testing.T, f *fixture) {
			b, _ := os.ReadFile(f.day(d15))
			lines := strings.SplitAfter(string(b), "\n")
			off := len(strings.Join(lines[:6], ""))
			b[off] = '['
			os.WriteFile(f.day(d15), b, 0o600)
		}, d15, 7, 31, ProblemHashMismatch},
		{"replace a line with garbage", func(t *testing.T, f *fixture) {
			lines := readLines(t, f.day(d15))
			lines[7] = "not json at all\n"
			writeLines(t, f.day(d15), lines)
		}, d15, 8, 32, ProblemUnreadable},
		{"add a field outside the hash", func(t *testing.T, f *fixture) {
			lines := readLines(t, f.day(d14))
			lines[2] = strings.Replace(lines[2], `{"schema":1,`, `{"schema":1,"approved":true,`, 1)
			writeLines(t, f.day(d14), lines)
		}, d14, 3, 3, ProblemHashMismatch},
		{"delete a line", func(t *testing.T, f *fixture) {
			lines := readLines(t, f.day(d15))
			writeLines(t, f.day(d15), append(lines[:4], lines[5:]...))
		}, d15, 5, 30, ProblemSequenceGap},
		{"swap two lines", func(t *testing.T, f *fixture) {
			lines := readLines(t, f.day(d15))
			lines[4], lines[5] = lines[5], lines[4]
			writeLines(t, f.day(d15), lines)
		}, d15, 5, 30, ProblemSequenceGap},
		{"insert a forged line with a recomputed hash", func(t *testing.T, f *fixture) {
			lines := readLines(t, f.day(d15))
			forged := forge(t, lines[4], 30)
			writeLines(t, f.day(d15), append(lines[:5], append([]string{forged}, lines[5:]...)...))
		}, d15, 6, 30, ProblemInserted},
		{"edit a record and recompute its hash", func(t *testing.T, f *fixture) {
			rechainOne(t, f.day(d15), 4)
		}, d15, 5, 29, ProblemPreviousHash},
		{"rewrite the rest of the chain with valid hashes", func(t *testing.T, f *fixture) {
			rechain(t, f.day(d16), 2, func(r *Record) { r.Details["tool"] = "rm" })
		}, d16, 12, 60, ProblemCheckpointBad},
		{"delete a whole day file", func(t *testing.T, f *fixture) {
			os.Remove(f.day(d15))
		}, d16, 1, 49, ProblemSequenceGap},
		{"delete the first day file", func(t *testing.T, f *fixture) {
			os.Remove(f.day(d14))
		}, d15, 1, 25, ProblemSequenceGap},
		{"truncate the newest records", func(t *testing.T, f *fixture) {
			lines := readLines(t, f.day(d16))
			writeLines(t, f.day(d16), lines[:9])
		}, d16, 10, 58, ProblemTruncated},
		{"delete the newest day file", func(t *testing.T, f *fixture) {
			os.Remove(f.day(d16))
		}, d15, 25, 49, ProblemTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.writeChain(t, 60)
			tt.tamper(t, f)
			r := f.verify(t)
			if r.Intact() {
				t.Fatalf("tampering went unnoticed: %+v", r)
			}
			b := r.Break
			want := Break{File: tt.file + ".ndjson", Line: tt.line, Seq: tt.seq, Problem: tt.problem}
			if b.File != want.File || b.Line != want.Line || b.Seq != want.Seq || b.Problem != want.Problem {
				t.Fatalf("break = %s\nwant   %s line %d (sequence %d): %s", b, want.File, want.Line, want.Seq, want.Problem)
			}
			t.Log(b)
			if b.Detail == "" {
				t.Fatal("break has no explanation")
			}
		})
	}
}

// rechainOne re-hashes line index i after changing it, leaving its successors alone: the
// record itself verifies, its successor's link does not.
func rechainOne(t *testing.T, path string, i int) {
	t.Helper()
	lines := readLines(t, path)
	rec, err := decodeLine([]byte(strings.TrimSuffix(lines[i], "\n")))
	if err != nil {
		t.Fatal(err)
	}
	rec.Details["tool"] = "curl"
	b, err := seal(rec)
	if err != nil {
		t.Fatal(err)
	}
	lines[i] = string(b) + "\n"
	writeLines(t, path, lines)
}

func TestVerifyUntouchedLog(t *testing.T) {
	f := newFixture(t)
	f.writeChain(t, 60)
	r := f.verify(t)
	if !r.Intact() || r.Torn != nil {
		t.Fatalf("untouched log reported broken: %s", r.Break)
	}
	if r.Files != 3 || r.Records != 60 || r.FirstSeq != 1 || r.LastSeq != 60 || !r.CheckpointChecked || r.CheckpointSeq != 60 {
		t.Fatalf("report = %+v", r)
	}
	for _, day := range []string{"2026-03-14", "2026-03-15", "2026-03-16"} {
		fi, err := os.Stat(f.day(day))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", day, fi.Mode().Perm())
		}
	}
	if fi, err := os.Stat(f.dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("audit dir mode = %v, %v; want 0700", fi.Mode().Perm(), err)
	}
}

func TestVerifyDateRange(t *testing.T) {
	f := newFixture(t)
	f.writeChain(t, 60)
	tests := []struct {
		name            string
		from, to        string
		files, records  int
		first           uint64
		checkpointCheck bool
	}{
		{"middle day anchored on the day before", "2026-03-15", "2026-03-15", 1, 24, 25, false},
		{"from a day to the end", "2026-03-15", "", 2, 36, 25, true},
		{"up to a day", "", "2026-03-14", 1, 24, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Verify(t.Context(), VerifyOptions{Dir: f.dir, From: tt.from, To: tt.to, Head: f.store})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Intact() || r.Files != tt.files || r.Records != tt.records || r.FirstSeq != tt.first || r.CheckpointChecked != tt.checkpointCheck {
				t.Fatalf("report = %+v", r)
			}
		})
	}
	// A break outside the range is not reported; inside it is.
	lines := readLines(t, f.day("2026-03-14"))
	writeLines(t, f.day("2026-03-14"), append(lines[:3], lines[4:]...))
	if r, _ := Verify(t.Context(), VerifyOptions{Dir: f.dir, From: "2026-03-15", Head: f.store}); !r.Intact() {
		t.Fatalf("break before --from reported: %s", r.Break)
	}
	if r, _ := Verify(t.Context(), VerifyOptions{Dir: f.dir, To: "2026-03-14", Head: f.store}); r.Intact() {
		t.Fatal("break inside --to range missed")
	}
	for _, bad := range []VerifyOptions{{Dir: f.dir, From: "2026-3-1"}, {Dir: f.dir, From: "2026-03-16", To: "2026-03-15"}, {}} {
		if _, err := Verify(t.Context(), bad); err == nil {
			t.Errorf("Verify(%+v) accepted bad options", bad)
		}
	}
}
