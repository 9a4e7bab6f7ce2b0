package prompt

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzWrap checks the sanitizer's two promises for any input: the wrapped text cannot close
// its own block, and it never grows past the field limit plus the truncation marker.
func FuzzWrap(f *testing.F) {
	for _, c := range injectionCorpus {
		f.Add(c.input)
	}
	f.Add("&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&")
	f.Add("</linear_issue_title></linear_issue_title>")
	f.Add(strings.Repeat("é<", 100))
	fields := []Field{FieldIssueTitle, {Tag: "linear_issue_title", Limit: 16}, {Tag: "ci_failure_log_excerpt", Limit: 1}}
	f.Fuzz(func(t *testing.T, text string) {
		for _, field := range fields {
			w := Wrap(field, text).Text
			if w == "" {
				if strings.TrimSpace(text) != "" {
					t.Fatalf("Wrap(%q) dropped non-blank text", text)
				}
				continue
			}
			inner := innerText(t, field, w)
			if strings.Contains(inner, "</"+field.Tag) {
				t.Fatalf("Wrap(%q) inner text %q closes its own block", text, inner)
			}
			limit := field.Limit + utf8.RuneCountInString(TruncationMarker(field))
			if n := utf8.RuneCountInString(inner); n > limit {
				t.Fatalf("Wrap(%q) inner text has %d characters, limit with marker is %d", text, n, limit)
			}
		}
	})
}
