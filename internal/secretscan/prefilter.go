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

// hintStarts has a bit for every pair of bytes a hint starts with (in every case a fold hint
// matches), so most positions of a text are passed over with one lookup.
var hintStarts = indexHintStarts()

func indexHints() *[256][]hintEntry {
	if len(patterns) > 64 {
		panic("secretscan: presentPatterns keeps one bit per pattern; there are more than 64")
	}
	var table [256][]hintEntry
	for i, p := range patterns {
		for _, h := range p.hints {
			e := hintEntry{hint: h, pattern: i, fold: p.fold}
			for _, first := range cases(h[0], p.fold) {
				table[first] = append(table[first], e)
			}
		}
	}
	return &table
}

func indexHintStarts() *[1 << 16 / 64]uint64 {
	var bits [1 << 16 / 64]uint64
	for _, p := range patterns {
		for _, h := range p.hints {
			if len(h) < 2 {
				panic("secretscan: hint " + h + " is shorter than the two bytes hintStarts looks up")
			}
			for _, a := range cases(h[0], p.fold) {
				for _, b := range cases(h[1], p.fold) {
					pair := uint16(a)<<8 | uint16(b)
					bits[pair>>6] |= 1 << (pair & 63)
				}
			}
		}
	}
	return &bits
}

// cases returns c, and its upper case too when fold is set and it has one.
func cases(c byte, fold bool) []byte {
	if upper := asciiUpper(c); fold && upper != c {
		return []byte{c, upper}
	}
	return []byte{c}
}

// presentPatterns returns a bit set of the patterns (bit i for patterns[i]) with a hint in
// text, in a single pass over it. Most text an audit record or a prompt carries holds none,
// and then no pattern needs to run at all.
func presentPatterns(text string) uint64 {
	var present uint64
	for i := 0; i+1 < len(text); i++ {
		pair := uint16(text[i])<<8 | uint16(text[i+1])
		if hintStarts[pair>>6]&(1<<(pair&63)) == 0 {
			continue
		}
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
