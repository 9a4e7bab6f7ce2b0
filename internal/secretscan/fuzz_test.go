package secretscan

import (
	"strings"
	"testing"
)

// FuzzRedact checks that Redact never panics, that no configured literal survives it, and that
// nothing Find would report is left in its output.
func FuzzRedact(f *testing.F) {
	f.Add("Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123", "configured-value")
	f.Add("-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----", "")
	f.Add(`TOKEN="[REDACTED:x]abcdefgh"`, "abcdefgh")
	f.Add("API_KEY="+fake("ghp_", 36)+" and "+fake("sk-ant-", 30), "zz[REDAC")
	f.Add("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVm", "REDACTED")
	f.Fuzz(func(t *testing.T, text, literal string) {
		s := New(literal)
		out := s.Redact(text)
		if rest := s.Find(out); len(rest) != 0 {
			t.Fatalf("Redact(%q) = %q still holds %+v", text, out, rest)
		}
		if len(strings.TrimSpace(literal)) >= minLiteralLen && !insideMarker(literal) && strings.Contains(out, literal) {
			t.Fatalf("Redact(%q) = %q still holds literal %q", text, out, literal)
		}
	})
}

// A pattern that skips text without its needed byte loses nothing: every match holds it.
func FuzzNeededByteIsInEveryMatch(f *testing.F) {
	f.Add("export DB_PASSWORD=hunter2hunter2")
	f.Add(`SERVICE_API_KEY = "with spaces inside"`)
	f.Add("input_tokens output_tokens token: abcdefgh")
	f.Fuzz(func(t *testing.T, text string) {
		for _, p := range patterns {
			if p.needs == 0 {
				continue
			}
			for _, m := range p.re.FindAllStringIndex(text, -1) {
				if !strings.Contains(text[m[0]:m[1]], string(p.needs)) {
					t.Fatalf("%s matched %q without %q", p.kind, text[m[0]:m[1]], p.needs)
				}
			}
		}
	})
}
