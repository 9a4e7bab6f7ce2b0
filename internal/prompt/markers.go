package prompt

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// rule is one family of prompt-injection marker and the visible note that replaces it. The
// patterns run on a folded "skeleton" of the text (lower case, compatibility forms and common
// Cyrillic/Greek look-alikes mapped to ASCII), so "ＳＹＳＴＥＭ:" and "ѕystem:" are caught too.
type rule struct {
	re   *regexp.Regexp
	note string
}

var injectionRules = []rule{
	{regexp.MustCompile(`<\|[^|\n]{0,200}\|>|\[/?inst\]|<</?sys>>|<(?:start|end)_of_turn>`), "[removed model control token]"},
	{regexp.MustCompile(`<\s*/?\s*(?:system|developer|assistant|user|human|tool)\s*>`), "[removed role tag]"},
	{regexp.MustCompile(`<\s*/?\s*(?:linear|github|gitlab|jira|ci)_[a-z_]*\s*>`), "[removed boundary tag]"},
	{regexp.MustCompile(`(?m)^[ \t>*_#-]*(?:system|developer|assistant|user|human)[ \t*_]*:[ \t*_]*`), "[removed role marker] "},
	{regexp.MustCompile(`(?m)^[ \t>*_-]*(?:from now on,?[ \t]+)?you[ \t]+are[ \t]+(?:now[ \t]+(?:an?|the|in|my|called|named|free|no[ \t]+longer|unrestricted|jailbroken|dan)\b|(?:the|an?)[ \t]+(?:system|developer|assistant|admin|root|unrestricted)\b|(?:chatgpt|gpt|codex|claude|dan)\b)[^\n]*`), "[removed persona instruction]"},
	{regexp.MustCompile(`(?m)^[ \t>*_-]*(?:pretend[ \t]+(?:to[ \t]+be|you[ \t]+are)|act[ \t]+as[ \t]+(?:the[ \t]+)?(?:system|developer|admin|root))\b[^\n]*`), "[removed persona instruction]"},
	{regexp.MustCompile(`(?m)^[ \t>]*#{1,6}[ \t]*(?:new[ \t]+|updated[ \t]+|real[ \t]+)?(?:instructions?|system[ \t]+prompt|developer[ \t]+(?:message|instructions?)|jailbreak|override)\b[^\n]*`), "[removed instruction heading]"},
	{regexp.MustCompile(`\b(?:ignore|disregard|forget|override|bypass)[ \t\n]+(?:(?:all|any|the|your|of|these|those)[ \t\n]+)*(?:previous|prior|above|earlier|preceding|system|developer|original)[ \t\n]+(?:instructions?|prompts?|rules|directions|directives|messages?|context|guidelines)\b`), "[removed prompt-injection request]"},
}

const fenceNote = "[removed suspicious fenced block]"

// neutralize replaces injection markers with short visible notes and reports whether any were
// found. Invisible and direction-changing characters are dropped first, because they exist to
// hide a marker from a human reviewer while the model still reads it.
func neutralize(s string) (string, bool) {
	s = clean(s)
	s, fenced := replaceSuspiciousFences(s)
	skel, origin := skeleton(s)
	var hits []markerHit
	for _, r := range injectionRules {
		for _, m := range r.re.FindAllStringIndex(skel, -1) {
			hits = append(hits, markerHit{start: origin[m[0]], end: origin[m[1]], note: r.note})
		}
	}
	if len(hits) == 0 {
		return s, fenced
	}
	return replaceHits(s, hits), true
}

// markerHit is a span of the cleaned text to replace with note.
type markerHit struct {
	start, end int
	note       string
}

// replaceHits writes s with each hit replaced by its note; overlapping hits (a role prefix on
// a persona line) merge into one span carrying the earliest hit's note.
func replaceHits(s string, hits []markerHit) string {
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].start != hits[j].start {
			return hits[i].start < hits[j].start
		}
		return hits[i].end > hits[j].end
	})
	var b strings.Builder
	last := 0
	for i := 0; i < len(hits); i++ {
		h := hits[i]
		for i+1 < len(hits) && hits[i+1].start < h.end {
			i++
			h.end = max(h.end, hits[i].end)
		}
		b.WriteString(s[last:h.start])
		b.WriteString(h.note)
		last = h.end
	}
	b.WriteString(s[last:])
	return b.String()
}

var ansiEscape = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)`)

func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = ansiEscape.ReplaceAllString(s, "")
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s)
	s = norm.NFKC.String(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
}

// skeleton returns the folded text and, for every byte offset in it, the offset in s of the
// character that byte belongs to (plus one entry for the end). Each character folds to exactly
// one character, so a match in the skeleton maps back to whole characters of s.
func skeleton(s string) (string, []int) {
	var b strings.Builder
	origin := make([]int, 0, len(s)+1)
	for i, r := range s {
		n, _ := b.WriteRune(fold(r))
		for range n {
			origin = append(origin, i)
		}
	}
	return b.String(), append(origin, len(s))
}

var lookalikes = map[rune]rune{
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'і': 'i', 'ѕ': 's',
	'ј': 'j', 'ԁ': 'd', 'һ': 'h', 'ӏ': 'l', 'ԛ': 'q', 'ԝ': 'w', 'ɡ': 'g', 'ո': 'n',
	'α': 'a', 'ε': 'e', 'ι': 'i', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'ν': 'v', 'κ': 'k',
	'ѵ': 'v', 'ᴜ': 'u', 'ꜱ': 's', 'ʏ': 'y', 'ᴛ': 't', 'ᴇ': 'e', 'ᴍ': 'm',
}

func fold(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	r = unicode.ToLower(r)
	if m, ok := lookalikes[r]; ok {
		return m
	}
	if !unicode.IsPrint(r) {
		return ' '
	}
	return r
}

// replaceSuspiciousFences removes whole fenced code blocks whose content carries an injection
// marker. Fences are matched the way Markdown does it: a block closes only on a fence of the
// same character at least as long as the opener, so a short fence nested inside a longer one
// cannot end the block early, and an unclosed fence runs to the end of the text.
func replaceSuspiciousFences(s string) (string, bool) {
	lines := strings.SplitAfter(s, "\n")
	var out strings.Builder
	found := false
	for i := 0; i < len(lines); i++ {
		char, width := fenceOpener(lines[i])
		if width == 0 {
			out.WriteString(lines[i])
			continue
		}
		end := len(lines)
		for j := i + 1; j < len(lines); j++ {
			if c, w := fenceOpener(lines[j]); c == char && w >= width && strings.TrimSpace(strings.TrimLeft(lines[j], string(char))) == "" {
				end = j + 1
				break
			}
		}
		block := strings.Join(lines[i:end], "")
		if !carriesMarker(block) {
			out.WriteString(block)
			i = end - 1
			continue
		}
		found = true
		out.WriteString(fenceNote)
		if strings.HasSuffix(block, "\n") {
			out.WriteString("\n")
		}
		i = end - 1
	}
	return out.String(), found
}

func fenceOpener(line string) (rune, int) {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 || t == "" || (t[0] != '`' && t[0] != '~') {
		return 0, 0
	}
	n := len(t) - len(strings.TrimLeft(t, t[:1]))
	if n < 3 {
		return 0, 0
	}
	return rune(t[0]), n
}

func carriesMarker(block string) bool {
	skel, _ := skeleton(block)
	for _, r := range injectionRules {
		if r.re.MatchString(skel) {
			return true
		}
	}
	return false
}
