package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
)

// auditState writes a state root holding a run store and 30 audit records, one hour apart
// from 2026-03-14 00:30 UTC, alternating between issues ENG-1 and ENG-2.
func auditState(t *testing.T) string {
	t.Helper()
	return auditStateSigned(t, nil)
}

// auditStateSigned is auditState with the log keyed by key (unkeyed when nil).
func auditStateSigned(t *testing.T, key ed25519.PrivateKey) string {
	t.Helper()
	ctx := context.Background()
	root := t.TempDir()
	red := secretscan.New()
	st, err := store.Open(ctx, store.Options{StateRoot: root, Redactor: red})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	next := time.Date(2026, 3, 14, 0, 30, 0, 0, time.UTC)
	clock := func() time.Time { t := next; next = next.Add(time.Hour); return t }
	l, err := audit.Open(ctx, audit.Options{Dir: audit.Dir(root), Redactor: red, Head: st, Now: clock, SigningKey: key})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		id := []string{"ENG-1", "ENG-2"}[i%2]
		ev := audit.Event{IssueID: "id-" + id, IssueIdentifier: id, RepoKey: "web", RunID: "run-" + id, Type: audit.EventToolCall,
			Details: map[string]any{"step": i}}
		if _, err := l.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return root
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestAuditVerifyCommand(t *testing.T) {
	root := auditState(t)
	day15 := filepath.Join(audit.Dir(root), "2026-03-15.ndjson")

	code, out, _ := runCLI(t, "audit", "verify", "--state-root", root)
	if code != ExitOK || !strings.Contains(out, "intact: 30 records in 2 files, sequences 1-30") || !strings.Contains(out, "sequence 30) is present and matches") ||
		!strings.Contains(out, "signatures: none, the chain is unkeyed") {
		t.Fatalf("intact log: exit %d\n%s", code, out)
	}

	b, _ := os.ReadFile(day15)
	lines := strings.SplitAfter(string(b), "\n")
	if err := os.WriteFile(day15, []byte(strings.Join(append(lines[:2], lines[3:]...), "")), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "audit", "verify", "--state-root", root)
	if code != ExitFailure || !strings.Contains(out, "BROKEN: 2026-03-15.ndjson line 3, sequence 28: sequence_gap") || !strings.Contains(errOut, "broken at 2026-03-15.ndjson line 3") {
		t.Fatalf("deleted line: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}

	code, out, _ = runCLI(t, "audit", "verify", "--state-root", root, "--to", "2026-03-14", "--json")
	var rep audit.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != ExitOK || rep.Records != 24 || rep.CheckpointChecked {
		t.Fatalf("--to before the break: exit %d, report %+v, %v\n%s", code, rep, err, out)
	}
}

func TestAuditVerifyWarnsAboutATornFinalLine(t *testing.T) {
	root := auditState(t)
	f, err := os.OpenFile(filepath.Join(audit.Dir(root), "2026-03-15.ndjson"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"schema":1,"seq":31,"ts":"2026-03-15T06:3`)
	f.Close()
	code, out, _ := runCLI(t, "audit", "verify", "--state-root", root)
	if code != ExitOK || !strings.Contains(out, "intact: 30 records") || !strings.Contains(out, "warning: 2026-03-15.ndjson line 7 is a torn final line (42 bytes)") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestAuditVerifyReadsStateRootFromEnvironment(t *testing.T) {
	root := auditState(t)
	t.Setenv("SYMPHONY_STATE_ROOT", root)
	if code, out, _ := runCLI(t, "audit", "verify"); code != ExitOK || !strings.Contains(out, root) {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestAuditCommandsRejectBadUsage(t *testing.T) {
	root := auditState(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", []string{"audit"}, "verify, show or keygen"},
		{"malformed --key", []string{"audit", "verify", "--state-root", root, "--key", "not-a-key"}, "--key:"},
		{"missing --key-file", []string{"audit", "verify", "--state-root", root, "--key-file", filepath.Join(root, "nope.pub")}, "--key-file"},
		{"--key and --key-file", []string{"audit", "verify", "--state-root", root, "--key", "a", "--key-file", "b"}, "none of the others can be"},
		{"bad from", []string{"audit", "verify", "--state-root", root, "--from", "14/03/2026"}, "--from"},
		{"from after to", []string{"audit", "show", "ENG-1", "--state-root", root, "--from", "2026-03-15", "--to", "2026-03-14"}, "after --to"},
		{"show without issue", []string{"audit", "show", "--state-root", root}, "accepts 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tt.args...)
			if code != ExitUsage || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, stderr %q; want exit 2 mentioning %q", code, errOut, tt.want)
			}
		})
	}
}

func TestAuditShowCommand(t *testing.T) {
	root := auditState(t)
	code, out, _ := runCLI(t, "audit", "show", "ENG-2", "--state-root", root, "--from", "2026-03-15")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != ExitOK || len(lines) != 3 {
		t.Fatalf("exit %d, %d lines\n%s", code, len(lines), out)
	}
	if lines[0] != `2026-03-15T01:30:00.000Z #26 ENG-2 tool_call run=run-ENG-2 {"step":25}` {
		t.Fatalf("first line = %q", lines[0])
	}
	code, out, _ = runCLI(t, "audit", "show", "id-ENG-1", "--state-root", root, "--json")
	var recs []audit.Record
	if err := json.Unmarshal([]byte(out), &recs); err != nil || code != ExitOK || len(recs) != 15 {
		t.Fatalf("exit %d, %d records, %v", code, len(recs), err)
	}
	for i, r := range recs {
		if r.Seq != uint64(2*i+1) || r.IssueIdentifier != "ENG-1" {
			t.Fatalf("record %d = seq %d issue %s", i, r.Seq, r.IssueIdentifier)
		}
	}
	code, out, errOut := runCLI(t, "audit", "show", "ENG-404", "--state-root", root)
	if code != ExitOK || out != "" || !strings.Contains(errOut, "no audit events for ENG-404") {
		t.Fatalf("unknown issue: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// keygen runs `audit keygen` and returns the signing key it printed and the public key.
func keygen(t *testing.T) (ed25519.PrivateKey, string) {
	t.Helper()
	code, out, _ := runCLI(t, "audit", "keygen")
	if code != ExitOK {
		t.Fatalf("keygen: exit %d\n%s", code, out)
	}
	var seed, pub string
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, audit.SigningKeyEnv+"="); ok {
			seed = v
		}
		if v, ok := strings.CutPrefix(line, "public key: "); ok {
			pub = v
		}
	}
	key, err := audit.SigningKeyFromEnv(func(string) (string, bool) { return seed, true })
	if err != nil || key == nil || !strings.Contains(out, "symphony audit verify --key "+pub) {
		t.Fatalf("keygen output unusable (%v):\n%s", err, out)
	}
	return key, pub
}

// rehashFrom forges the log the way a thief with the state root but without the signing key
// would: edit the record at line index i of the day file, recompute it and every later
// record's hashes by the published record format, and point the run store's checkpoint row
// at the forged head.
func rehashFrom(t *testing.T, root, day string, i int, edit func(*audit.Record)) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(audit.Dir(root), "*.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	prevHash, last := "", audit.Record{}
	for _, path := range paths {
		if filepath.Base(path) < day+".ndjson" {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(string(b), "\n")
		start := 0
		if filepath.Base(path) == day+".ndjson" {
			start = i
		}
		for j := start; j < len(lines) && lines[j] != ""; j++ {
			dec := json.NewDecoder(strings.NewReader(lines[j]))
			dec.UseNumber()
			var rec audit.Record
			if err := dec.Decode(&rec); err != nil {
				t.Fatal(err)
			}
			if prevHash == "" {
				edit(&rec)
			} else {
				rec.PreviousHash = prevHash
			}
			rec.RecordHash = ""
			var body bytes.Buffer
			enc := json.NewEncoder(&body)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(&rec); err != nil {
				t.Fatal(err)
			}
			canon := bytes.TrimSuffix(body.Bytes(), []byte("\n"))
			sum := sha256.Sum256(canon)
			rec.RecordHash = hex.EncodeToString(sum[:])
			lines[j] = string(canon[:len(canon)-1]) + `,"record_hash":"` + rec.RecordHash + "\"}\n"
			prevHash, last = rec.RecordHash, rec
		}
		if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	storeExec(t, root, `UPDATE audit_head SET seq=?, hash=? WHERE id=1`, int64(last.Seq), last.RecordHash)
}

func storeExec(t *testing.T, root, query string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+store.Path(root))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func TestAuditVerifyWithKey(t *testing.T) {
	key, pub := keygen(t)
	_, otherPub := keygen(t)
	fresh := func(t *testing.T) string { return auditStateSigned(t, key) }
	tests := []struct {
		name    string
		tamper  func(t *testing.T, root string)
		args    []string
		code    int
		want    []string
		notWant string
	}{
		{"intact across a day roll", nil, []string{"--key", pub}, ExitOK,
			[]string{"intact: 30 records in 2 files", "signatures: 2 verified with the given key; they cover every record through sequence 30", "older, validly signed copy"}, "not covered"},
		{"public key from a file", nil, []string{"--key-file", "PUBFILE"}, ExitOK,
			[]string{"signatures: 2 verified"}, ""},
		{"without --key", nil, nil, ExitOK,
			[]string{"signed (2 signed checkpoints), signatures not checked: pass --key"}, ""},
		{"another key", nil, []string{"--key", otherPub}, ExitFailure,
			[]string{"BROKEN: 2026-03-14.ndjson line 24, sequence 24: wrong_key"}, ""},
		{"re-hashed forgery with an edited checkpoint row", func(t *testing.T, root string) {
			rehashFrom(t, root, "2026-03-14", 10, func(r *audit.Record) { r.Details["step"] = json.Number("99") })
		}, []string{"--key", pub}, ExitFailure,
			[]string{"BROKEN: 2026-03-14.ndjson line 24, sequence 24: signature_mismatch"}, ""},
		{"re-hashed forgery of the newest day", func(t *testing.T, root string) {
			rehashFrom(t, root, "2026-03-15", 2, func(r *audit.Record) { r.EventType = audit.EventPRAction })
		}, []string{"--key", pub}, ExitFailure,
			[]string{"BROKEN: 2026-03-15.ndjson line 6, sequence 30: signature_mismatch"}, ""},
		{"signed records truncated", func(t *testing.T, root string) {
			path := filepath.Join(audit.Dir(root), "2026-03-15.ndjson")
			b, _ := os.ReadFile(path)
			lines := strings.SplitAfter(string(b), "\n")
			if err := os.WriteFile(path, []byte(strings.Join(lines[:4], "")), 0o600); err != nil {
				t.Fatal(err)
			}
			var rec audit.Record
			if err := json.Unmarshal([]byte(lines[3]), &rec); err != nil {
				t.Fatal(err)
			}
			storeExec(t, root, `UPDATE audit_head SET seq=?, hash=? WHERE id=1`, int64(rec.Seq), rec.RecordHash)
		}, []string{"--key", pub}, ExitFailure,
			[]string{"BROKEN: 2026-03-15.ndjson line 5, sequence 30: signed_record_missing"}, ""},
		{"signatures deleted", func(t *testing.T, root string) {
			storeExec(t, root, `DELETE FROM audit_signatures`)
		}, []string{"--key", pub}, ExitFailure,
			[]string{"BROKEN: run store (audit_signatures), sequence 1: missing_signature", "no record of this log is signed"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := fresh(t)
			if tt.tamper != nil {
				tt.tamper(t, root)
			}
			args := append([]string{"audit", "verify", "--state-root", root}, tt.args...)
			for i, a := range args {
				if a == "PUBFILE" {
					args[i] = filepath.Join(t.TempDir(), "audit.pub")
					if err := os.WriteFile(args[i], []byte("# audit signing key\n"+pub+"\n"), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			code, out, errOut := runCLI(t, args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Fatalf("output lacks %q:\n%s", w, out)
				}
			}
			if tt.notWant != "" && strings.Contains(out, tt.notWant) {
				t.Fatalf("output has %q:\n%s", tt.notWant, out)
			}
		})
	}
}

// TestAuditForgeryFoolsVerifyWithoutKey is the attack the keys answer: the same forgery
// passes the chain and checkpoint checks alone.
func TestAuditForgeryFoolsVerifyWithoutKey(t *testing.T) {
	key, _ := keygen(t)
	root := auditStateSigned(t, key)
	rehashFrom(t, root, "2026-03-14", 10, func(r *audit.Record) { r.Details["step"] = json.Number("99") })
	if code, out, _ := runCLI(t, "audit", "verify", "--state-root", root); code != ExitOK || !strings.Contains(out, "pass --key") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestAuditVerifyWithKeyOnAnUnkeyedLogFails(t *testing.T) {
	_, pub := keygen(t)
	root := auditState(t)
	code, out, _ := runCLI(t, "audit", "verify", "--state-root", root, "--key", pub)
	if code != ExitFailure || !strings.Contains(out, "missing_signature") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestAuditVerifyReportsRecordsAfterTheLastSignedCheckpoint(t *testing.T) {
	key, pub := keygen(t)
	root := auditStateSigned(t, key)
	rehashFrom(t, root, "2026-03-15", 6, func(*audit.Record) {})
	path := filepath.Join(audit.Dir(root), "2026-03-15.ndjson")
	b, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(b), "\n")
	var last audit.Record
	if err := json.Unmarshal([]byte(lines[5]), &last); err != nil {
		t.Fatal(err)
	}
	// Two records written after the last signed checkpoint, as a crash leaves them.
	unsigned := func(seq uint64, prev string) (string, string) {
		rec := audit.Record{Schema: audit.SchemaVersion, Seq: seq, Time: last.Time, EventType: audit.EventToolCall, PreviousHash: prev}
		var body bytes.Buffer
		enc := json.NewEncoder(&body)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(&rec); err != nil {
			t.Fatal(err)
		}
		canon := bytes.TrimSuffix(body.Bytes(), []byte("\n"))
		sum := sha256.Sum256(canon)
		h := hex.EncodeToString(sum[:])
		return string(canon[:len(canon)-1]) + `,"record_hash":"` + h + "\"}\n", h
	}
	l31, h31 := unsigned(31, last.RecordHash)
	l32, _ := unsigned(32, h31)
	if err := os.WriteFile(path, []byte(strings.Join(lines[:6], "")+l31+l32), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, "audit", "verify", "--state-root", root, "--key", pub)
	if code != ExitOK || !strings.Contains(out, "warning: 2 records after the last signed checkpoint (sequence 30) are not covered") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestServiceRefusesAMalformedSigningKey(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "symphony.yml")
	if err := os.WriteFile(cfg, []byte("issues: {provider: memory}\nrepositories:\n  - key: app\nagent: {runtime: codex, command: codex app-server}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "WORKFLOW.md"), []byte("Work on {{ issue.identifier }}.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const value = "c2VjcmV0LWJ1dC1ub3QtYS1zZWVk"
	t.Setenv(audit.SigningKeyEnv, value)
	code, out, errOut := runCLI(t, "--config", cfg, "--state-root", filepath.Join(dir, "state"))
	if code != ExitUsage || !strings.Contains(errOut, audit.SigningKeyEnv) || strings.Contains(errOut+out, value) {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
}
