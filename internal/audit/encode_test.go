package audit

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

// fuzzRecord builds a record that puts text everywhere a string can go in one.
func fuzzRecord(text, key string, n int64, flag bool) *Record {
	return &Record{Schema: SchemaVersion, Seq: uint64(n), Time: time.Unix(0, n).UTC(), IssueID: text, RepoKey: key,
		SessionID: text + key, EventType: "command_executed", PreviousHash: GenesisHash,
		Details: map[string]any{key: text, "n": n, "i": int(n), "u": uint64(n), "flag": flag, "none": nil,
			"list": []any{text, n, map[string]any{text: key}}, "nested": map[string]any{"k": []any(nil), "m": map[string]any(nil)}}}
}

// appendCanonical must write the bytes the JSON encoder writes, so the stored form does not
// depend on which path encoded a record.
func TestAppendCanonicalMatchesEncoder(t *testing.T) {
	cases := []struct {
		name string
		rec  *Record
		fast bool
	}{
		{"plain", fuzzRecord("make test", "command", 42, true), true},
		{"escapes", fuzzRecord("a\"b\\c\n\r\t\b\f\x00\x1f\x7f <tag> & done", "k\u2028\u2029", 7, false), true},
		{"invalid utf-8", fuzzRecord("bad \xff\xfe byte, cut \xe2\x82", "é", -3, true), true},
		{"no optional fields", &Record{Schema: SchemaVersion, Seq: 1, Time: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC), EventType: "run_started", PreviousHash: GenesisHash}, true},
		{"record hash kept", &Record{Schema: SchemaVersion, Seq: 2, Time: time.Date(2026, 3, 10, 12, 0, 0, 5, time.UTC), EventType: "x", PreviousHash: GenesisHash, RecordHash: GenesisHash}, true},
		{"float falls back", &Record{Time: time.Unix(1, 0).UTC(), EventType: "x", Details: map[string]any{"r": 0.5}}, false},
		{"number falls back", &Record{Time: time.Unix(1, 0).UTC(), EventType: "x", Details: map[string]any{"r": json.Number("12")}}, false},
		{"local zone falls back", &Record{Time: time.Unix(1, 0).In(time.FixedZone("X", 3600)), EventType: "x"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fast, ok := appendCanonical(nil, c.rec)
			if ok != c.fast {
				t.Fatalf("fast path taken = %v, want %v", ok, c.fast)
			}
			if !ok {
				return
			}
			want, err := canonical(c.rec)
			if err != nil {
				t.Fatal(err)
			}
			if string(fast) != string(want) {
				t.Fatalf("appendCanonical wrote\n%s\nthe encoder writes\n%s", fast, want)
			}
		})
	}
}

func FuzzAppendCanonical(f *testing.F) {
	f.Add("make test", "command", int64(42), true)
	f.Add("a\"b\\c\n\x00\x7f<>&", "\u2028", int64(-1), false)
	f.Add("\xff\xe2\x82", "é", int64(1<<62), true)
	f.Fuzz(func(t *testing.T, text, key string, n int64, flag bool) {
		rec := fuzzRecord(text, key, n, flag)
		fast, ok := appendCanonical(nil, rec)
		want, err := canonical(rec)
		if err != nil {
			if ok {
				t.Fatalf("the encoder refuses what appendCanonical wrote: %v", err)
			}
			return
		}
		if !ok || string(fast) != string(want) {
			t.Fatalf("appendCanonical (ok %v) wrote\n%s\nthe encoder writes\n%s", ok, fast, want)
		}
	})
}

// validEventType accepts exactly what ^[a-z][a-z0-9_]{0,63}$ matches.
func FuzzValidEventType(f *testing.F) {
	for _, seed := range []string{"", "a", "tool_call", "Tool", "9a", "a-b", "a\n", strings.Repeat("a", 64), strings.Repeat("a", 65), "é"} {
		f.Add(seed)
	}
	pattern := regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	f.Fuzz(func(t *testing.T, typ string) {
		if got, want := validEventType(typ), pattern.MatchString(typ); got != want {
			t.Fatalf("validEventType(%q) = %v, the pattern says %v", typ, got, want)
		}
	})
}
