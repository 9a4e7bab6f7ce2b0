package sandbox

import (
	"testing"

	"github.com/BurntSushi/toml"
)

// tomlStringSeeds are strings a policy can carry into an override: plain paths, and paths
// with quotes, backslashes, control characters, non-ASCII text and invalid UTF-8.
var tomlStringSeeds = []string{"", "/home/agent/.ssh", "~/.config/gh", `/opt/quote"and\back`, "/opt/tab\there",
	"/opt/del\x7f", "/opt/ünïcödé ☃", "/opt/bad\xffutf8", "\xe2\x98", "\x00\x1f"}

// FuzzTOMLString checks that a TOML parser reads back what tomlString wrote, with each byte
// of invalid UTF-8 as U+FFFD, as ranging over the string gives it.
func FuzzTOMLString(f *testing.F) {
	for _, s := range tomlStringSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var doc struct{ K string }
		if _, err := toml.Decode("K = "+tomlString(s), &doc); err != nil {
			t.Fatalf("tomlString(%q) = %s does not parse: %v", s, tomlString(s), err)
		}
		if want := string([]rune(s)); doc.K != want {
			t.Fatalf("tomlString(%q) reads back as %q, want %q", s, doc.K, want)
		}
	})
}

func TestTOMLOverrideReadsBack(t *testing.T) {
	entries := []tomlEntry{{"enabled", true}, {"mode", "full"}, {"x", false}}
	for _, s := range tomlStringSeeds {
		entries = append(entries, tomlEntry{s + "/k", s})
	}
	entries = append(entries, tomlEntry{"nested", []tomlEntry{{"a.b", "c"}, {"on", true}}})
	var doc map[string]any
	if _, err := toml.Decode(tomlOverride("t", entries), &doc); err != nil {
		t.Fatalf("inline table does not parse: %v", err)
	}
	table := doc["t"].(map[string]any)
	if len(table) != len(entries) {
		t.Fatalf("table has %d keys, want %d: %v", len(table), len(entries), table)
	}
	for _, e := range entries {
		got := table[string([]rune(e.Key))]
		switch want := e.Value.(type) {
		case []tomlEntry:
			if m, ok := got.(map[string]any); !ok || m["a.b"] != "c" || m["on"] != true {
				t.Errorf("%q = %v", e.Key, got)
			}
		case string:
			if got != string([]rune(want)) {
				t.Errorf("%q = %q, want %q", e.Key, got, want)
			}
		default:
			if got != want {
				t.Errorf("%q = %v, want %v", e.Key, got, want)
			}
		}
	}
}
