package secretscan

import (
	"sort"
	"strings"
)

// span is a half-open byte range of one line, without its newline.
type span struct{ start, end int }

// hintLines returns, in order and without repeats, the lines of s that contain a hint.
// Every line-local pattern match lies inside such a line, because each match contains one
// of its pattern's hints and none crosses a newline.
func hintLines(s string, hints []string) []span {
	seen := map[int]int{}
	for _, h := range hints {
		for from := 0; ; {
			i := strings.Index(s[from:], h)
			if i < 0 {
				break
			}
			i += from
			start := strings.LastIndexByte(s[:i], '\n') + 1
			end := strings.IndexByte(s[i:], '\n')
			if end < 0 {
				end = len(s)
			} else {
				end += i
			}
			seen[start] = end
			from = end
		}
	}
	out := make([]span, 0, len(seen))
	for start, end := range seen {
		out = append(out, span{start, end})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

func containsAny(s string, hints []string) bool {
	for _, h := range hints {
		if strings.Contains(s, h) {
			return true
		}
	}
	return false
}

// asciiLower lowers ASCII letters only, so byte offsets in the result match the input.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
