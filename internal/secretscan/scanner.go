// Package secretscan finds and redacts credentials in free text: high-confidence provider key
// shapes, private key blocks, JWTs, bearer headers, secret-looking KEY=value assignments, and
// the operator's own configured secret values. It is the one scanner shared by prompt
// construction (comment bodies and CI logs), the scoped agent tools and the audit log, so all
// three agree on what counts as a secret and name it with the same kind.
package secretscan

import (
	"math/bits"
	"sort"
	"strings"
)

// Finding is one secret in a text: Kind names the pattern and [Start, End) are byte offsets.
type Finding struct {
	Kind       string
	Start, End int
}

// minLiteralLen is the shortest configured value scrubbed verbatim. Shorter values ("1",
// "true", a region name) are not credentials, and removing every occurrence of them would
// shred ordinary text.
const minLiteralLen = 8

// Scanner holds the configured literals; the patterns are shared and compiled once. A Scanner
// is safe for concurrent use.
type Scanner struct {
	literals []string
}

// New returns a Scanner that, besides the built-in patterns, scrubs each literal verbatim.
// Blank literals, literals shorter than 8 bytes and fragments of the redaction marker itself
// (which would match every marker Redact writes) are ignored.
func New(literals ...string) *Scanner {
	s := &Scanner{}
	seen := map[string]bool{}
	for _, l := range literals {
		if len(strings.TrimSpace(l)) < minLiteralLen || seen[l] || insideMarker(l) {
			continue
		}
		seen[l] = true
		s.literals = append(s.literals, l)
	}
	// Longest first, so a literal that contains another is reported whole.
	sort.Slice(s.literals, func(i, j int) bool { return len(s.literals[i]) > len(s.literals[j]) })
	return s
}

// Find returns the secrets in text ordered by position. Overlapping matches are merged into one
// finding carrying the kind of the earliest (then longest) match, so the spans never overlap.
func (s *Scanner) Find(text string) []Finding {
	var raw []Finding
	for _, l := range s.literals {
		raw = appendLiteral(raw, text, l)
	}
	present := presentPatterns(text)
	var lower string
	// Only the patterns with a hint in text are visited, in order, and not copied: most text
	// holds no hint, and stepping over every pattern cost a clean string more than finding
	// that out.
	for rest := present; rest != 0; rest &= rest - 1 {
		p := &patterns[bits.TrailingZeros64(rest)]
		if p.needs != 0 && strings.IndexByte(text, p.needs) < 0 {
			continue
		}
		hay := text
		if p.fold {
			if lower == "" {
				lower = asciiLower(text)
			}
			hay = lower
		}
		if p.multiline {
			if containsAny(hay, p.hints) {
				raw = p.appendMatches(raw, text, 0)
			}
			continue
		}
		for _, l := range hintLines(hay, p.hints) {
			raw = p.appendMatches(raw, text[l.start:l.end], l.start)
		}
	}
	// A key header always holds the private key pattern's hint.
	if present&(1<<privateKeyPattern) != 0 {
		raw = appendUnterminatedKeys(raw, text)
	}
	return merge(raw)
}

// maxRedactPasses bounds the re-scan Redact does. A configured literal containing a bracket
// can straddle the edge of a marker just written ("ab[REDAC" + "TED:..."), so the output is
// scanned again until nothing is left; each pass only shrinks what a literal can straddle.
const maxRedactPasses = 8

func (p *pattern) appendMatches(out []Finding, text string, offset int) []Finding {
	for _, m := range p.re.FindAllStringSubmatchIndex(text, -1) {
		start, end := m[2*p.group], m[2*p.group+1]
		if start < 0 || isMarker(text[start:end]) {
			continue
		}
		out = append(out, Finding{Kind: p.kind, Start: offset + start, End: offset + end})
	}
	return out
}

// Redact replaces each finding with "[REDACTED:<kind>]".
func (s *Scanner) Redact(text string) string {
	for range maxRedactPasses {
		findings := s.Find(text)
		if len(findings) == 0 {
			return text
		}
		text = replace(text, findings)
	}
	return text
}

func replace(text string, findings []Finding) string {
	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for _, f := range findings {
		b.WriteString(text[last:f.Start])
		b.WriteString(Marker(f.Kind))
		last = f.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// Marker is the replacement text Redact writes for a finding of kind.
func Marker(kind string) string { return redactedMarkerPrefix + kind + "]" }

func insideMarker(literal string) bool {
	if strings.Contains(Marker(KindConfiguredSecret), literal) {
		return true
	}
	for _, p := range patterns {
		if strings.Contains(Marker(p.kind), literal) {
			return true
		}
	}
	return false
}

func appendLiteral(out []Finding, text, literal string) []Finding {
	for offset := 0; ; {
		i := strings.Index(text[offset:], literal)
		if i < 0 {
			return out
		}
		start := offset + i
		out = append(out, Finding{Kind: KindConfiguredSecret, Start: start, End: start + len(literal)})
		offset = start + 1
	}
}

// appendUnterminatedKeys covers key headers that no complete block already contains.
func appendUnterminatedKeys(out []Finding, text string) []Finding {
	for _, m := range privateKeyHeader.FindAllStringIndex(text, -1) {
		covered := false
		for _, f := range out {
			if f.Kind == KindPrivateKeyBlock && f.Start <= m[0] && m[1] <= f.End {
				covered = true
				break
			}
		}
		if !covered {
			return append(out, Finding{Kind: KindPrivateKeyBlock, Start: m[0], End: len(text)})
		}
	}
	return out
}

// isMarker keeps an earlier redaction (a quoted "[REDACTED:...]" value) from being found again.
// Only a value that is exactly one marker qualifies, so a marker cannot shield text after it.
func isMarker(s string) bool {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		s = s[1 : len(s)-1]
	}
	return markerOnly.MatchString(s)
}

func merge(fs []Finding) []Finding {
	if len(fs) == 0 {
		return nil
	}
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Start != fs[j].Start {
			return fs[i].Start < fs[j].Start
		}
		return fs[i].End > fs[j].End
	})
	out := []Finding{fs[0]}
	for _, f := range fs[1:] {
		cur := &out[len(out)-1]
		if f.Start < cur.End {
			cur.End = max(cur.End, f.End)
			continue
		}
		out = append(out, f)
	}
	return out
}
