package secretscan

// hintEntry is one pattern hint, filed under the byte it starts with.
type hintEntry struct {
	hint    string
	pattern int
	fold    bool
}

// hintsByFirstByte lists every pattern hint under its first byte (both cases for a fold
// pattern's hint), so one pass over a text finds every pattern worth running on it.
var hintsByFirstByte = indexHints()

func indexHints() *[256][]hintEntry {
	if len(patterns) > 64 {
		panic("secretscan: presentPatterns keeps one bit per pattern; there are more than 64")
	}
	var table [256][]hintEntry
	for i, p := range patterns {
		for _, h := range p.hints {
			e := hintEntry{hint: h, pattern: i, fold: p.fold}
			first := h[0]
			table[first] = append(table[first], e)
			if upper := asciiUpper(first); p.fold && upper != first {
				table[upper] = append(table[upper], e)
			}
		}
	}
	return &table
}

// presentPatterns returns a bit set of the patterns (bit i for patterns[i]) with a hint in
// text, in a single pass over it. Most text an audit record or a prompt carries holds none,
// and then no pattern needs to run at all.
func presentPatterns(text string) uint64 {
	var present uint64
	for i := 0; i < len(text); i++ {
		for _, e := range hintsByFirstByte[text[i]] {
			if present&(1<<e.pattern) != 0 || len(text)-i < len(e.hint) {
				continue
			}
			if hasHintAt(text[i:i+len(e.hint)], e) {
				present |= 1 << e.pattern
			}
		}
	}
	return present
}

func hasHintAt(s string, e hintEntry) bool {
	if !e.fold {
		return s == e.hint
	}
	for j := 0; j < len(s); j++ {
		c := s[j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != e.hint[j] {
			return false
		}
	}
	return true
}

func asciiUpper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// privateKeyPattern is the index of the private key block pattern, whose hint every key
// header contains.
var privateKeyPattern = patternIndex(KindPrivateKeyBlock)

func patternIndex(kind string) int {
	for i, p := range patterns {
		if p.kind == kind {
			return i
		}
	}
	panic("secretscan: no pattern of kind " + kind)
}
