package audit

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/secretscan"
)

// Details given as Fields are stored byte for byte as the same details given as a map:
// secrets in values redacted, secrets in keys renamed where the map puts them, keys out of
// order refused nowhere but placed as the map sorts them, and empty details left out.
func TestFieldsAreStoredAsTheirMap(t *testing.T) {
	secret := "sk-proj-" + strings.Repeat("A1b2", 8)
	cases := []Fields{
		{Text("command", "go test ./..."), Text("cwd", "/srv/ws"), Int("exit_code", 0), Text("output_preview", "ok\n"), Text("status", "completed")},
		{Text("command", "echo "+secret), Int("exit_code", -3), Text("output_preview", "tab\t\"q\" \xff\u2028 "+secret), Text("status", "failed")},
		{Text("API_KEY="+strings.Repeat("v", 10), "a secret key"), Text("b", "after it")},
		{Text("z", "out of order"), Text("a", "first")},
		{Text("same", "one"), Text("same", "two")},
		{},
	}
	write := func(asMap bool) []byte {
		dir := t.TempDir()
		l, err := Open(context.Background(), Options{Dir: dir, Redactor: secretscan.New(), Head: &memHead{}, Now: stepClock(chainStart, time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		var evs []Event
		for _, fs := range cases {
			ev := Event{IssueID: "issue-1", Type: EventCommandExecuted, Fields: fs}
			if asMap {
				ev.Details, ev.Fields = fs.Map(), nil
			}
			evs = append(evs, ev)
		}
		if _, err := l.AppendBatch(context.Background(), evs); err != nil {
			t.Fatal(err)
		}
		single := Event{Type: EventCommandExecuted, Fields: cases[1]}
		if asMap {
			single.Details, single.Fields = cases[1].Map(), nil
		}
		rec, err := l.Append(context.Background(), single)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Details["exit_code"] != int64(-3) || strings.Contains(rec.Details["command"].(string), secret) {
			t.Errorf("Append returned details %v, want them scrubbed, as a map", rec.Details)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
		var all []byte
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		return all
	}
	fromMap, fromFields := write(true), write(false)
	if !bytes.Equal(fromMap, fromFields) {
		t.Fatalf("Fields stored differently from their map:\nmap:    %s\nfields: %s", fromMap, fromFields)
	}
	if bytes.Contains(fromFields, []byte(secret)) || bytes.Count(fromFields, []byte("\n")) != len(cases)+1 {
		t.Fatalf("records are not all there, or not redacted:\n%s", fromFields)
	}
}

// An event giving details both as a map and as Fields is refused, not half recorded.
func TestEventWithDetailsAndFieldsIsRefused(t *testing.T) {
	l, err := Open(context.Background(), Options{Dir: t.TempDir(), Redactor: secretscan.New(), Head: &memHead{}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = l.Append(context.Background(), Event{Type: EventCommandExecuted, Details: map[string]any{"a": "1"}, Fields: Fields{Text("b", "2")}})
	if err == nil {
		t.Fatal("an event with both Details and Fields was recorded")
	}
}

// FuzzFieldsEncodeAsTheirMap: whatever the keys and values, in or out of order, secret or not,
// a record's details given as Fields encode to the bytes of the same details given as a map.
func FuzzFieldsEncodeAsTheirMap(f *testing.F) {
	f.Add("make test", "command", "status", int64(42))
	f.Add("a\"b\\c\n\x00\x7f<>&", "\u2028", "a", int64(-1))
	f.Add("\xff\xe2\x82 sk-proj-"+strings.Repeat("A1b2", 8), "é", "é", int64(1<<62))
	red := secretscan.New()
	f.Fuzz(func(t *testing.T, text, key1, key2 string, n int64) {
		fs := Fields{Text(key1, text), Int(key2, n), Text("z"+key1, key2)}
		encode := func(ev Event) []byte {
			details, fields, err := scrubEventDetails(ev, red)
			if err != nil {
				t.Fatal(err)
			}
			rec := Record{Schema: SchemaVersion, Time: chainStart, EventType: EventCommandExecuted, Details: details, fields: fields, PreviousHash: GenesisHash}
			line, err := seal(&rec)
			if err != nil {
				t.Fatal(err)
			}
			return line
		}
		fromMap, fromFields := encode(Event{Details: fs.Map()}), encode(Event{Fields: fs})
		if !bytes.Equal(fromMap, fromFields) {
			t.Fatalf("map:    %s\nfields: %s", fromMap, fromFields)
		}
	})
}
