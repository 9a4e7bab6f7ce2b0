package secretscan

import (
	"strings"
	"testing"
)

// presentPatterns must see every hint the per-pattern search would see, in the case that
// search uses, or the fast path would skip a pattern that has a match.
func TestPresentPatternsAgreesWithHintSearch(t *testing.T) {
	texts := []string{
		"", "ok  \tgithub.com/example/pkg\t0.042s\n", "plain prose with nothing to find",
		"Authorization: BEARER abc", "export My_Api-Key=abcdefgh", "x-----BEGIN EC PRIVATE KEY-----",
		"ghp", "sk", "AKI", "aki" + "a", "AKIA", "tail sk-", "eyJ", "PassWord=1", "CREDENTIALS",
	}
	for _, p := range patterns {
		for _, h := range p.hints {
			texts = append(texts, "before "+h+" after", h, strings.ToUpper(h), "x"+strings.ToUpper(h[:1])+h[1:])
		}
	}
	for _, text := range texts {
		present := presentPatterns(text)
		for i, p := range patterns {
			hay := text
			if p.fold {
				hay = asciiLower(text)
			}
			if want := containsAny(hay, p.hints); want != (present&(1<<i) != 0) {
				t.Errorf("presentPatterns(%q) pattern %d (%s) present = %v, the hint search says %v", text, i, p.kind, !want, want)
			}
		}
	}
}
