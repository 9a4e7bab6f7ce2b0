package orchestrator

import (
	"strings"
	"unicode/utf8"
)

// briefLimit keeps a reason on an info line readable; the whole text stays in the run record
// and on the debug line beside it.
const briefLimit = 160

// brief shortens an error text for an info log line: its first line, at most briefLimit
// bytes, cut on a rune boundary, with " …" marking a cut.
func brief(s string) string {
	first, _, multiline := strings.Cut(s, "\n")
	if len(first) <= briefLimit && !multiline {
		return first
	}
	n := min(len(first), briefLimit)
	for n > 0 && n < len(first) && !utf8.RuneStart(first[n]) {
		n--
	}
	return first[:n] + " …"
}
