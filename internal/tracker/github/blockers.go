package github

import (
	"regexp"
	"strconv"
	"strings"
)

// issueRef is a reference to an issue found in text: Repo is owner/name, or "" for the
// repository the text belongs to.
type issueRef struct {
	Repo   string
	Number int
}

// Bounds on what one issue body may contribute: bodies are untrusted and may be huge.
const (
	maxBodyScanBytes = 256 << 10
	maxBlockers      = 50
)

var (
	// blockerLine is a line that declares blockers, e.g. "Blocked by #12, #14" or
	// "depends on: octo/lib#3".
	blockerLine = regexp.MustCompile(`(?i)\b(?:blocked\s+by|depends\s+on)\b`)
	// uncheckedTask is a task-list item that is still open: "- [ ] ...", "* [ ] ...".
	uncheckedTask = regexp.MustCompile(`^\s*(?:[-*+]|\d+[.)])\s+\[ \]\s+`)
	// reference matches owner/repo#N, #N and https://host/owner/repo/issues/N.
	reference = regexp.MustCompile(`(?:https?://[A-Za-z0-9.-]+/([A-Za-z0-9_-]{1,39}/[A-Za-z0-9._-]{1,100})/issues/(\d{1,9})\b)|(?:(?:^|[^\w/#])(?:([A-Za-z0-9_-]{1,39}/[A-Za-z0-9._-]{1,100}))?#(\d{1,9})\b)`)
)

// parseBlockers reads the issues a body says block it: every reference on a line that says
// "blocked by" or "depends on", and the first reference of each unchecked task-list item.
// Checked items are done and block nothing. Code blocks are skipped, since references there
// are examples, not declarations. The result is deduplicated, in order of appearance.
func parseBlockers(body string) []issueRef {
	if len(body) > maxBodyScanBytes {
		body = body[:maxBodyScanBytes]
	}
	var out []issueRef
	seen := map[issueRef]bool{}
	add := func(r issueRef) {
		if !seen[r] && len(out) < maxBlockers {
			seen[r] = true
			out = append(out, r)
		}
	}
	inFence := false
	for line := range strings.Lines(body) {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		switch {
		case blockerLine.MatchString(line):
			loc := blockerLine.FindStringIndex(line)
			for _, r := range references(line[loc[1]:]) {
				add(r)
			}
		case uncheckedTask.MatchString(line):
			if refs := references(line); len(refs) > 0 {
				add(refs[0])
			}
		}
	}
	return out
}

// references returns every issue reference in s, in order.
func references(s string) []issueRef {
	var out []issueRef
	for _, m := range reference.FindAllStringSubmatch(s, -1) {
		repo, num := m[1], m[2]
		if num == "" {
			repo, num = m[3], m[4]
		}
		n, err := strconv.Atoi(num)
		if err != nil || n <= 0 {
			continue
		}
		out = append(out, issueRef{Repo: strings.TrimSuffix(repo, ".git"), Number: n})
	}
	return out
}
