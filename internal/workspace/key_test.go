package workspace

import (
	"regexp"
	"strings"
	"testing"
)

var keyAlphabet = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

func TestKey(t *testing.T) {
	tests := []struct {
		identifier string
		want       string // exact key, or prefix when hashed
		hashed     bool
	}{
		{"ENG-123", "ENG-123", false},
		{"a.b_c-D9", "a.b_c-D9", false},
		{"A/B", "A_B-", true},
		{"A_B", "A_B", false},
		{"ENG 1", "ENG_1-", true},
		{"Ωmega", "_mega-", true},
		{".", ".-", true},
		{"..", "..-", true},
		{"", "_-", true},
		{"A∕B", "A_B-", true},
		// Looks like a hashed key already, so it is hashed again to keep keys distinct.
		{"ENG-0123456789abcdef", "ENG-0123456789abcdef-", true},
	}
	for _, tt := range tests {
		got := Key(tt.identifier)
		if !keyAlphabet.MatchString(got) {
			t.Errorf("Key(%q) = %q, outside [A-Za-z0-9._-]", tt.identifier, got)
		}
		if !tt.hashed && got != tt.want {
			t.Errorf("Key(%q) = %q, want %q", tt.identifier, got, tt.want)
		}
		if tt.hashed && (!strings.HasPrefix(got, tt.want) || len(got) != len(tt.want)+hashHexLen) {
			t.Errorf("Key(%q) = %q, want %q followed by %d hex digits", tt.identifier, got, tt.want, hashHexLen)
		}
	}
}

func TestKeyKeepsLookalikesApart(t *testing.T) {
	groups := [][]string{
		{"A/B", "A_B", "A\\B", "A B", "A∕B", "A:B"},
		{"..", "._.", "..-"},
		{"ENG-1", "eng-1", "ENG-1 "},
	}
	for _, g := range groups {
		seen := map[string]string{}
		for _, id := range g {
			k := Key(id)
			if other, dup := seen[k]; dup {
				t.Errorf("%q and %q share workspace key %q", other, id, k)
			}
			seen[k] = id
		}
	}
}

func TestValidateIdentifierRefusesHostileInput(t *testing.T) {
	tests := []struct {
		name, identifier, mention string
	}{
		{"traversal", "../../etc", `".." path segment`},
		{"absolute", "/abs", "starts with a path separator"},
		{"dotdot", "..", `".." path segment`},
		{"dot", ".", `"." path segment`},
		{"empty", "", "is empty"},
		{"huge", strings.Repeat("A", 10000), "10000 bytes long"},
		{"nul", "ENG\x00-1", "control character U+0000"},
		{"newline", "ENG-1\nrm", "control character U+000A"},
		{"division slash", "..∕..∕etc", `".." path segment`},
		{"fullwidth slash", "..／etc", `".." path segment`},
		{"backslash", `..\..\etc`, `".." path segment`},
		{"leading unicode slash", "∕etc", "starts with a path separator"},
		{"trailing traversal", "ENG-1/..", `".." path segment`},
		{"invalid utf8", "ENG-\xff", "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateIdentifier(tt.identifier)
			wantCode(t, err, CodeInvalidIdentifier)
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not say %q", err, tt.mention)
			}
		})
	}
}

func TestValidateIdentifierAcceptsTrackerIdentifiers(t *testing.T) {
	for _, id := range []string{"ENG-123", "A/B", "A∕B", "team.sub-9", "..x", strings.Repeat("A", MaxIdentifierBytes)} {
		if err := ValidateIdentifier(id); err != nil {
			t.Errorf("ValidateIdentifier(%q) = %v, want nil", id, err)
		}
		if k := Key(id); len(k) > 255 {
			t.Errorf("Key(%q) is %d bytes, over the file name limit", id, len(k))
		}
	}
}

func FuzzKey(f *testing.F) {
	seeds := [][2]string{
		{"A/B", "A_B"}, {".", ".."}, {"", "_"}, {"ENG-1", "ENG-1-0123456789abcdef"},
		{"A∕B", "A/B"}, {"\x00", "\xff"}, {"..", "..-"}, {"a b", "a_b"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ka, kb := Key(a), Key(b)
		for _, k := range []string{ka, kb} {
			if !keyAlphabet.MatchString(k) {
				t.Fatalf("key %q has characters outside [A-Za-z0-9._-]", k)
			}
			if k == "." || k == ".." {
				t.Fatalf("key %q is a relative path", k)
			}
		}
		if a != b && ka == kb {
			t.Fatalf("distinct identifiers %q and %q share key %q", a, b, ka)
		}
		if Key(a) != ka {
			t.Fatalf("Key(%q) is not deterministic", a)
		}
	})
}
