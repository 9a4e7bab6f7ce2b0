package review

import (
	"html"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// lineSlack widens a finding's line range when looking for its quote: reviewers count lines
// off by a few, and a quote a few lines away is still about the code it names.
const lineSlack = 3

// minQuoteChars is the least non-space text a quote must hold; "}" or "return" alone is
// found almost anywhere and proves nothing.
const minQuoteChars = 8

// Evidence is what findings are checked against: the workspace (files as committed) and the
// reviewed diff, which also holds the removed lines no file has any more.
type Evidence struct {
	Workspace string
	Diff      string
}

// Grounded reports whether f's quote is found at its file and lines, either in the file or
// in the diff's hunks for that file. Quotes are compared line by line after whitespace is
// collapsed; diff headers and +/-/space prefixes are accepted on either side, lines the
// reviewer elided with "..." are skipped, and the remaining lines must appear in order.
func (ev Evidence) Grounded(f Finding) bool {
	quote := quoteVariants(f.QuotedSnippet)
	if len(quote) == 0 {
		return false
	}
	if lines, ok := ev.fileWindow(f); ok {
		for _, q := range quote {
			if subsequence(q, lines) {
				return true
			}
		}
	}
	hunks := normalizeAll(diffLinesOf(ev.Diff, f.File, f.LineRange[0]-lineSlack, f.LineRange[1]+lineSlack))
	for _, q := range quote {
		if subsequence(q, hunks) {
			return true
		}
	}
	return false
}

// fileWindow returns the normalised lines around f's range, or false when the file is not a
// plain relative path inside the workspace or cannot be read.
func (ev Evidence) fileWindow(f Finding) ([]string, bool) {
	rel := filepath.Clean(filepath.FromSlash(strings.TrimPrefix(f.File, "./")))
	if filepath.IsAbs(rel) || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, false
	}
	data, err := os.ReadFile(filepath.Join(ev.Workspace, rel))
	if err != nil {
		return nil, false
	}
	all := strings.Split(string(data), "\n")
	first := max(f.LineRange[0]-1-lineSlack, 0)
	last := min(f.LineRange[1]+lineSlack, len(all))
	if first >= last {
		return nil, false
	}
	return normalizeAll(all[first:last]), true
}

// quoteVariants is the quote as written and, when every line could be a diff line, with the
// one-character diff prefix removed; each is normalised and must hold enough text.
func quoteVariants(snippet string) [][]string {
	var lines []string
	// The diff reached the reviewer HTML-escaped inside its boundary tag.
	for _, l := range strings.Split(html.UnescapeString(snippet), "\n") {
		if isDiffHeader(l) || isElision(l) {
			continue
		}
		lines = append(lines, l)
	}
	var out [][]string
	add := func(ls []string) {
		n := normalizeAll(ls)
		if len(n) > 0 && len(strings.Join(n, "")) >= minQuoteChars {
			out = append(out, n)
		}
	}
	add(lines)
	stripped := make([]string, 0, len(lines))
	for _, l := range lines {
		if l == "" {
			continue
		}
		if !strings.ContainsRune("+- ", rune(l[0])) {
			return out
		}
		stripped = append(stripped, l[1:])
	}
	add(stripped)
	return out
}

// diffLinesOf returns the hunk lines of file's section in a unified diff whose line number
// lies in [lo, hi], prefixes removed: the new file's numbering for added and context lines,
// the old file's for removed ones.
func diffLinesOf(diff, file string, lo, hi int) []string {
	var out []string
	in := false
	oldLine, newLine := 0, 0
	for _, l := range strings.Split(diff, "\n") {
		if strings.HasPrefix(l, "diff --git ") {
			in = strings.HasSuffix(l, " b/"+file) || strings.Contains(l, " a/"+file+" ")
			continue
		}
		if !in {
			continue
		}
		if strings.HasPrefix(l, "@@") {
			oldLine, newLine = hunkStart(l)
			continue
		}
		if isDiffHeader(l) || l == "" {
			continue
		}
		at := 0
		switch l[0] {
		case '+':
			at = newLine
			newLine++
		case '-':
			at = oldLine
			oldLine++
		case ' ':
			at = newLine
			oldLine++
			newLine++
		default:
			continue
		}
		if at >= lo && at <= hi {
			out = append(out, l[1:])
		}
	}
	return out
}

// hunkStart reads the old and new first line numbers of a "@@ -a,b +c,d @@" header.
func hunkStart(header string) (oldLine, newLine int) {
	for _, field := range strings.Fields(header) {
		num := strings.SplitN(field[min(1, len(field)):], ",", 2)[0]
		n, err := strconv.Atoi(num)
		if err != nil {
			continue
		}
		switch field[0] {
		case '-':
			oldLine = n
		case '+':
			newLine = n
		}
	}
	return oldLine, newLine
}

func isDiffHeader(l string) bool {
	for _, p := range []string{"diff --git ", "index ", "--- ", "+++ ", "@@", "new file mode", "deleted file mode", "\\ No newline"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

func isElision(l string) bool {
	t := strings.TrimSpace(strings.TrimLeft(l, "+- "))
	return t == "..." || t == "…"
}

// normalizeAll collapses whitespace in each line and drops the lines left empty.
func normalizeAll(lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if n := strings.Join(strings.Fields(l), " "); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// subsequence reports whether every line of quote appears in lines, in order. A quote line
// may be part of a line when it is long enough to be specific.
func subsequence(quote, lines []string) bool {
	i := 0
	for _, l := range lines {
		if i < len(quote) && (l == quote[i] || len(quote[i]) >= minQuoteChars && strings.Contains(l, quote[i])) {
			i++
		}
	}
	return i == len(quote)
}
