package audit

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
)

// testKey derives a fixed key pair from a one-byte seed, so failures reproduce.
func testKey(b byte) (ed25519.PrivateKey, ed25519.PublicKey) {
	priv := ed25519.NewKeyFromSeed([]byte(strings.Repeat(string(rune(b)), ed25519.SeedSize)))
	return priv, priv.Public().(ed25519.PublicKey)
}

func (f *fixture) openKeyed(t testing.TB, now func() time.Time, key ed25519.PrivateKey) *Log {
	t.Helper()
	l, err := Open(context.Background(), Options{Dir: f.dir, Redactor: secretscan.New(), Head: f.store, Now: now, SigningKey: key})
	if err != nil {
		t.Fatalf("audit.Open: %v", err)
	}
	return l
}

// appendN appends n records and closes the log.
func appendN(t testing.TB, l *Log, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := l.Append(context.Background(), Event{IssueID: "issue-a", Type: EventToolCall, Details: map[string]any{"n": i, "tool": "git"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) verifyWith(t testing.TB, keys ...ed25519.PublicKey) Report {
	t.Helper()
	r, err := Verify(context.Background(), VerifyOptions{Dir: f.dir, Head: f.store, Keys: keys})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return r
}

// db opens the run store's SQLite file directly, the way a thief with the state root edits it.
func (f *fixture) db(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+store.Path(f.root)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func (f *fixture) exec(t testing.TB, query string, args ...any) {
	t.Helper()
	if _, err := f.db(t).Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// forgeFrom rewrites the record at line index i of day with edit and re-hashes it and every
// record after it, across the later day files, then moves the store's checkpoint row to the
// forged head: everything an attacker with the state root but without the key can do.
func (f *fixture) forgeFrom(t *testing.T, day string, i int, edit func(*Record)) {
	t.Helper()
	days, err := listDays(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	var prev *Record
	for _, d := range days {
		if d.Day < day {
			continue
		}
		lines := readLines(t, d.Path)
		start := 0
		if d.Day == day {
			start = i
		}
		for j := start; j < len(lines) && lines[j] != ""; j++ {
			rec, err := decodeLine([]byte(strings.TrimSuffix(lines[j], "\n")))
			if err != nil {
				t.Fatal(err)
			}
			if prev == nil {
				edit(rec)
			} else {
				rec.PreviousHash = prev.RecordHash
			}
			b, err := seal(rec)
			if err != nil {
				t.Fatal(err)
			}
			lines[j] = string(b) + "\n"
			prev = rec
		}
		writeLines(t, d.Path, lines)
	}
	f.exec(t, `UPDATE audit_head SET seq=?, hash=? WHERE id=1`, int64(prev.Seq), prev.RecordHash)
}

// resignAll replaces every stored signature with one by key over the log as it now stands.
func (f *fixture) resignAll(t *testing.T, key ed25519.PrivateKey) {
	t.Helper()
	rows, err := f.store.AuditSignatures(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		c, err := parseSignedCheckpoint(row)
		if err != nil {
			t.Fatal(err)
		}
		for _, ln := range readLines(t, f.day(c.Day)) {
			rec, err := decodeLine([]byte(strings.TrimSuffix(ln, "\n")))
			if err == nil && rec.Seq == c.Seq {
				c.Hash = rec.RecordHash
			}
		}
		sig, err := signCheckpoint(key, position{seq: c.Seq, day: c.Day, hash: c.Hash})
		if err != nil {
			t.Fatal(err)
		}
		f.exec(t, `UPDATE audit_signatures SET signature=? WHERE day=?`, sig, c.Day)
	}
}

func TestSigningKeyFromEnv(t *testing.T) {
	priv, _ := testKey(1)
	good := base64.StdEncoding.EncodeToString(priv.Seed())
	tests := []struct {
		name    string
		env     map[string]string
		wantKey bool
		wantErr bool
	}{
		{"unset", map[string]string{}, false, false},
		{"empty", map[string]string{SigningKeyEnv: ""}, false, false},
		{"valid seed", map[string]string{SigningKeyEnv: good}, true, false},
		{"not base64", map[string]string{SigningKeyEnv: "hunter2-not-a-key!"}, false, true},
		{"public key length", map[string]string{SigningKeyEnv: base64.StdEncoding.EncodeToString(make([]byte, 33))}, false, true},
		{"full private key instead of seed", map[string]string{SigningKeyEnv: base64.StdEncoding.EncodeToString(priv)}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := SigningKeyFromEnv(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			if (err != nil) != tt.wantErr || (key != nil) != tt.wantKey {
				t.Fatalf("key %v, err %v", key != nil, err)
			}
			if err != nil && (!strings.Contains(err.Error(), SigningKeyEnv) || strings.Contains(err.Error(), tt.env[SigningKeyEnv])) {
				t.Fatalf("error must name %s and not repeat the value: %v", SigningKeyEnv, err)
			}
			if tt.wantKey && !key.Equal(priv) {
				t.Fatal("key differs from the seed's")
			}
		})
	}
}

func TestGenerateSigningKeyRoundTrips(t *testing.T) {
	seed, pub, err := GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	priv, err := SigningKeyFromEnv(func(string) (string, bool) { return seed, true })
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePublicKey(pub)
	if err != nil || !p.Equal(priv.Public()) {
		t.Fatalf("public key %q does not belong to the seed: %v", pub, err)
	}
	if _, err := ParsePublicKey(seed + "x"); err == nil {
		t.Fatal("malformed public key accepted")
	}
}

func TestKeyedLogSignsEveryDayEndAndVerifies(t *testing.T) {
	priv, pub := testKey(1)
	f := newFixture(t)
	clock := stepClock(chainStart, time.Hour)
	appendN(t, f.openKeyed(t, clock, priv), 60)

	rows, err := f.store.AuditSignatures(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var signed []uint64
	for _, row := range rows {
		c, err := parseSignedCheckpoint(row)
		if err != nil {
			t.Fatal(err)
		}
		signed = append(signed, c.Seq)
	}
	if len(signed) != 3 || signed[0] != 24 || signed[1] != 48 || signed[2] != 60 {
		t.Fatalf("signed positions = %v, want each day's last record 24, 48, 60", signed)
	}

	r := f.verifyWith(t, pub)
	sr := r.Signatures
	if !r.Intact() || r.Records != 60 || !sr.Checked || sr.Verified != 3 || sr.SignedThrough != 60 || sr.UnsignedTail != 0 || len(sr.Adopted) != 0 {
		t.Fatalf("report = %+v, break %s", r, r.Break)
	}
	// Reopening on the same day continues the chain and re-signs the day at its new end.
	appendN(t, f.openKeyed(t, clock, priv), 5)
	if r := f.verifyWith(t, pub); !r.Intact() || r.Signatures.SignedThrough != 65 || r.Signatures.UnsignedTail != 0 {
		t.Fatalf("after reopening: %+v, break %s", r.Signatures, r.Break)
	}
	if r := f.verify(t); !r.Intact() || r.Signatures.Stored != 3 || r.Signatures.Checked || r.Signatures.Verified != 0 {
		t.Fatalf("unkeyed verify of a signed log: %+v, %v", r.Signatures, r.Break)
	}
}

func TestUnkeyedLogStillVerifiesAndSaysSo(t *testing.T) {
	f := newFixture(t)
	f.writeChain(t, 30)
	r := f.verify(t)
	if !r.Intact() || r.Signatures.Stored != 0 || r.Signatures.Checked {
		t.Fatalf("report = %+v", r)
	}
	_, pub := testKey(1)
	r = f.verifyWith(t, pub)
	if r.Intact() || r.Break.Problem != ProblemMissingSignature || !strings.Contains(r.Break.Detail, "no record of this log is signed") {
		t.Fatalf("--key on an unkeyed log must fail: %+v", r.Break)
	}
}

func TestKeyedVerifyDetectsForgery(t *testing.T) {
	const d14, d15, d16 = "2026-03-14", "2026-03-15", "2026-03-16"
	priv, pub := testKey(1)
	thief, _ := testKey(2)
	setToolRm := func(r *Record) { r.Details["tool"] = "rm" }
	tests := []struct {
		name    string
		tamper  func(t *testing.T, f *fixture)
		file    string
		seq     uint64
		problem string
	}{
		{"re-hashed forgery with an edited checkpoint row", func(t *testing.T, f *fixture) {
			f.forgeFrom(t, d15, 5, setToolRm)
		}, d15, 48, ProblemSignatureMismatch},
		{"re-hashed forgery after the last day's start", func(t *testing.T, f *fixture) {
			f.forgeFrom(t, d16, 6, setToolRm)
		}, d16, 60, ProblemSignatureMismatch},
		{"forgery re-signed with the thief's key", func(t *testing.T, f *fixture) {
			f.forgeFrom(t, d15, 5, setToolRm)
			f.resignAll(t, thief)
		}, d14, 24, ProblemWrongKey},
		{"forgery with every signature deleted", func(t *testing.T, f *fixture) {
			f.forgeFrom(t, d15, 5, setToolRm)
			f.exec(t, `DELETE FROM audit_signatures`)
		}, storeLocation, 1, ProblemMissingSignature},
		{"forgery of the last day with its signature deleted", func(t *testing.T, f *fixture) {
			f.forgeFrom(t, d16, 6, setToolRm)
			f.exec(t, `DELETE FROM audit_signatures WHERE day=?`, d16)
		}, d16, 60, ProblemMissingSignature},
		{"a middle day's signature deleted", func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM audit_signatures WHERE day=?`, d15)
		}, d15, 48, ProblemMissingSignature},
		{"the first day's signature deleted", func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM audit_signatures WHERE day=?`, d14)
		}, d14, 24, ProblemMissingSignature},
		{"signed records truncated and the checkpoint rolled back", func(t *testing.T, f *fixture) {
			lines := readLines(t, f.day(d16))
			writeLines(t, f.day(d16), lines[:9])
			rec, _ := decodeLine([]byte(strings.TrimSuffix(lines[8], "\n")))
			f.exec(t, `UPDATE audit_head SET seq=?, hash=? WHERE id=1`, int64(rec.Seq), rec.RecordHash)
		}, d16, 60, ProblemSignedRecordMissing},
		{"newest day file deleted and the checkpoint rolled back", func(t *testing.T, f *fixture) {
			lines := readLines(t, f.day(d15))
			rec, _ := decodeLine([]byte(strings.TrimSuffix(lines[23], "\n")))
			if err := os.Remove(f.day(d16)); err != nil {
				t.Fatal(err)
			}
			f.exec(t, `UPDATE audit_head SET seq=?, hash=? WHERE id=1`, int64(rec.Seq), rec.RecordHash)
		}, d15, 60, ProblemSignedRecordMissing},
		{"a signature's bytes edited", func(t *testing.T, f *fixture) {
			f.editSignature(t, d15, func(c *signedCheckpoint) {
				sig, _ := base64.StdEncoding.DecodeString(c.Signature)
				sig[0] ^= 1
				c.Signature = base64.StdEncoding.EncodeToString(sig)
			})
		}, d15, 48, ProblemBadSignature},
		{"a signed checkpoint moved to an earlier record", func(t *testing.T, f *fixture) {
			f.editSignature(t, d15, func(c *signedCheckpoint) { c.Seq = 40 })
		}, d15, 40, ProblemSignatureMismatch},
		{"a record rewritten without re-hashing", func(t *testing.T, f *fixture) {
			lines := readLines(t, f.day(d15))
			lines[3] = strings.Replace(lines[3], `"tool":"git"`, `"tool":"gjt"`, 1)
			writeLines(t, f.day(d15), lines)
		}, d15, 28, ProblemHashMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			appendN(t, f.openKeyed(t, stepClock(chainStart, time.Hour), priv), 60)
			tt.tamper(t, f)
			r := f.verifyWith(t, pub)
			if r.Intact() {
				t.Fatalf("tampering went unnoticed: %+v", r)
			}
			b := r.Break
			file := tt.file
			if file != storeLocation {
				file += ".ndjson"
			}
			if b.File != file || b.Seq != tt.seq || b.Problem != tt.problem {
				t.Fatalf("break = %s\nwant   %s (sequence %d): %s", b, file, tt.seq, tt.problem)
			}
			t.Log(b)
		})
	}
}

// TestForgeryPassesWithoutKey shows what the keys add: the same forgery verifies clean when
// only the chain and the checkpoint row are checked.
func TestForgeryPassesWithoutKey(t *testing.T) {
	priv, _ := testKey(1)
	f := newFixture(t)
	appendN(t, f.openKeyed(t, stepClock(chainStart, time.Hour), priv), 60)
	f.forgeFrom(t, "2026-03-15", 5, func(r *Record) { r.Details["tool"] = "rm" })
	if r := f.verify(t); !r.Intact() {
		t.Fatalf("the forgery should fool an unkeyed verify, which is why keys exist: %s", r.Break)
	}
}

func TestVerifyWithAnotherKeyFails(t *testing.T) {
	priv, _ := testKey(1)
	_, other := testKey(2)
	f := newFixture(t)
	appendN(t, f.openKeyed(t, stepClock(chainStart, time.Hour), priv), 30)
	r := f.verifyWith(t, other)
	if r.Intact() || r.Break.Problem != ProblemWrongKey || r.Break.Seq != 24 {
		t.Fatalf("break = %v", r.Break)
	}
}

func (f *fixture) editSignature(t *testing.T, day string, edit func(*signedCheckpoint)) {
	t.Helper()
	var row string
	if err := f.db(t).QueryRow(`SELECT signature FROM audit_signatures WHERE day=?`, day).Scan(&row); err != nil {
		t.Fatal(err)
	}
	c, err := parseSignedCheckpoint(row)
	if err != nil {
		t.Fatal(err)
	}
	edit(&c)
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	f.exec(t, `UPDATE audit_signatures SET signature=?, seq=? WHERE day=?`, string(b), int64(c.Seq), day)
}

func TestKeyedOpenAdoptsAnUnsignedChainAndNamesIt(t *testing.T) {
	priv, pub := testKey(1)
	f := newFixture(t)
	f.writeChain(t, 30)
	clock := stepClock(chainStart.Add(30*time.Hour), time.Hour)
	appendN(t, f.openKeyed(t, clock, priv), 5)
	// The first day's end predates the key and is unsigned; the adoption record excuses it.
	r := f.verifyWith(t, pub)
	sr := r.Signatures
	if !r.Intact() || sr.SignedThrough != 36 || len(sr.Adopted) != 1 || sr.Adopted[0].FirstSeq != 1 || sr.Adopted[0].LastSeq != 30 {
		t.Fatalf("report %+v, break %s", sr, r.Break)
	}
}

func TestKeyedOpenRefusesAForgedOrForeignSignedHead(t *testing.T) {
	priv, _ := testKey(1)
	other, _ := testKey(2)
	t.Run("forged tail", func(t *testing.T) {
		f := newFixture(t)
		clock := stepClock(chainStart, time.Hour)
		appendN(t, f.openKeyed(t, clock, priv), 30)
		f.forgeFrom(t, "2026-03-15", 2, func(r *Record) { r.Details["tool"] = "rm" })
		_, err := Open(t.Context(), Options{Dir: f.dir, Redactor: secretscan.New(), Head: f.store, Now: clock, SigningKey: priv})
		if !errors.Is(err, ErrSignatureMismatch) || !strings.Contains(err.Error(), "rewritten") {
			t.Fatalf("Open = %v", err)
		}
	})
	t.Run("another key", func(t *testing.T) {
		f := newFixture(t)
		clock := stepClock(chainStart, time.Hour)
		appendN(t, f.openKeyed(t, clock, priv), 3)
		_, err := Open(t.Context(), Options{Dir: f.dir, Redactor: secretscan.New(), Head: f.store, Now: clock, SigningKey: other})
		if !errors.Is(err, ErrSignatureMismatch) || !strings.Contains(err.Error(), SigningKeyEnv) {
			t.Fatalf("Open = %v", err)
		}
	})
}

func TestRecordsAfterTheLastSignedCheckpointAreCountedAsUncovered(t *testing.T) {
	priv, pub := testKey(1)
	f := newFixture(t)
	l, err := Open(t.Context(), Options{Dir: f.dir, Redactor: secretscan.New(), Head: f.store, Now: stepClock(chainStart, time.Minute),
		SigningKey: priv, FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := 0; i < 7; i++ {
		if _, err := l.Append(t.Context(), Event{Type: EventToolCall}); err != nil {
			t.Fatal(err)
		}
		if i == 3 {
			if err := l.Sync(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
	}
	r := f.verifyWith(t, pub)
	if !r.Intact() || r.Signatures.SignedThrough != 4 || r.Signatures.UnsignedTail != 3 {
		t.Fatalf("report %+v, break %s", r.Signatures, r.Break)
	}
}

// appendUnsynced adds n well-formed records to the end of the file for day, as a keyed log
// leaves them when it crashes after writing them but before its next signed checkpoint.
func appendUnsynced(t *testing.T, path string, n int) {
	t.Helper()
	lines := readLines(t, path)
	prev, err := decodeLine([]byte(strings.TrimSuffix(lines[len(lines)-2], "\n")))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		rec := Record{Schema: SchemaVersion, Seq: prev.Seq + 1, Time: prev.Time.Add(time.Minute), EventType: EventToolCall, PreviousHash: prev.RecordHash}
		b, err := seal(&rec)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines[:len(lines)-1], string(b)+"\n", "")
		prev = &rec
	}
	writeLines(t, path, lines)
}

func TestKeyedRestartAfterACrashSignsTheDayEndAndNamesTheUnsignedTail(t *testing.T) {
	priv, pub := testKey(1)
	f := newFixture(t)
	appendN(t, f.openKeyed(t, stepClock(chainStart, time.Hour), priv), 24)
	appendUnsynced(t, f.day("2026-03-14"), 3)
	if r := f.verifyWith(t, pub); !r.Intact() || r.Signatures.UnsignedTail != 3 {
		t.Fatalf("before the restart: %+v, break %s", r.Signatures, r.Break)
	}
	appendN(t, f.openKeyed(t, stepClock(chainStart.Add(25*time.Hour), time.Hour), priv), 4)
	r := f.verifyWith(t, pub)
	sr := r.Signatures
	if !r.Intact() || r.LastSeq != 32 || sr.SignedThrough != 32 || len(sr.Adopted) != 1 || sr.Adopted[0].FirstSeq != 25 || sr.Adopted[0].LastSeq != 27 {
		t.Fatalf("after the restart: %+v, break %s", sr, r.Break)
	}
	if sr.Adopted[0].File != "2026-03-15.ndjson" {
		t.Fatalf("adoption recorded at %+v", sr.Adopted[0])
	}
	// The restart rolled to a new day, so it signed the crashed day's last record.
	var row string
	if err := f.db(t).QueryRow(`SELECT signature FROM audit_signatures WHERE day='2026-03-14'`).Scan(&row); err != nil {
		t.Fatal(err)
	}
	if c, err := parseSignedCheckpoint(row); err != nil || c.Seq != 27 {
		t.Fatalf("2026-03-14 signed at %+v, %v; want its last record, 27", c, err)
	}
}

// TestKeyedAcknowledgedGapVerifies removes signed records while the service is down and
// resumes past them with the gap acknowledged on a new day: the gap excuses the signature
// that now points into it, and nothing else.
func TestKeyedAcknowledgedGapVerifies(t *testing.T) {
	priv, pub := testKey(1)
	f := newFixture(t)
	appendN(t, f.openKeyed(t, stepClock(chainStart, time.Hour), priv), 60)
	lines := readLines(t, f.day("2026-03-16"))
	writeLines(t, f.day("2026-03-16"), lines[:9])
	if _, err := Open(t.Context(), Options{Dir: f.dir, Redactor: secretscan.New(), Head: f.store, SigningKey: priv}); !errors.Is(err, ErrBehindCheckpoint) {
		t.Fatalf("keyed Open after truncation: %v", err)
	}
	l, err := Open(t.Context(), Options{Dir: f.dir, Redactor: secretscan.New(), Head: f.store, SigningKey: priv, AcknowledgeGap: true,
		Now: stepClock(chainStart.Add(72*time.Hour), time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, l, 2)
	r := f.verifyWith(t, pub)
	if !r.Intact() || len(r.Gaps) != 1 || r.Gaps[0].FirstMissing != 58 || r.LastSeq != 63 || r.Signatures.SignedThrough != 63 {
		t.Fatalf("report %+v, break %s", r, r.Break)
	}
}

// TestKeyedOpenRefusesARewriteBehindAnUnsignedTail rewrites the chain under the newest
// signature while unsigned records follow it (as after a crash), so the tail alone cannot
// show the rewrite: the keyed start must read the signed record itself.
func TestKeyedOpenRefusesARewriteBehindAnUnsignedTail(t *testing.T) {
	priv, _ := testKey(1)
	f := newFixture(t)
	clock := stepClock(chainStart, time.Hour)
	appendN(t, f.openKeyed(t, clock, priv), 30)
	appendUnsynced(t, f.day("2026-03-15"), 3)
	f.forgeFrom(t, "2026-03-15", 2, func(r *Record) { r.Details["tool"] = "rm" })
	_, err := Open(t.Context(), Options{Dir: f.dir, Redactor: secretscan.New(), Head: f.store, Now: clock, SigningKey: priv})
	if !errors.Is(err, ErrSignatureMismatch) || !strings.Contains(err.Error(), "sequence 30") {
		t.Fatalf("Open = %v", err)
	}
}

// FuzzSignedCheckpoint feeds the run store's signature text, which a thief can write, to the
// parser and verifier: anything is rejected or checked without a panic, and only a genuine
// signature by the key verifies.
func FuzzSignedCheckpoint(f *testing.F) {
	priv, pub := testKey(1)
	genuine, err := signCheckpoint(priv, position{seq: 7, day: "2026-03-14", hash: strings.Repeat("a", 64)})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{genuine, "", "{}", "null", `{"day":"2026-03-14","seq":7}`, strings.Replace(genuine, `"seq":7`, `"seq":8`, 1), genuine + "{}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := parseSignedCheckpoint(text)
		if err != nil {
			return
		}
		if c.verify([]ed25519.PublicKey{pub}) == nil && (c.Seq != 7 || c.Day != "2026-03-14" || c.Hash != strings.Repeat("a", 64)) {
			t.Fatalf("%q verified for a position the key never signed", text)
		}
	})
}
