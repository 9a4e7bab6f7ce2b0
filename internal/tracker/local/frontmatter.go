package local

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// frontMatter locates the YAML block of an issue file.
type frontMatter struct {
	// yaml is the text between the delimiter lines.
	yaml []byte
	// start and end are byte offsets of yaml within the file.
	start, end int
	// body is everything after the closing delimiter line.
	body []byte
}

var errNoFrontMatter = fmt.Errorf(`the file must start with a "---" line, then YAML front matter, then a closing "---" line`)

// splitFrontMatter finds the opening "---" line at the very start and the next "---" line.
func splitFrontMatter(data []byte) (frontMatter, error) {
	first, rest, ok := cutLine(data)
	if !ok || !isDelimiter(first) {
		return frontMatter{}, errNoFrontMatter
	}
	start := len(data) - len(rest)
	pos := start
	for pos < len(data) {
		line, next, _ := cutLine(data[pos:])
		if isDelimiter(line) {
			end := pos
			bodyStart := pos + len(data[pos:]) - len(next)
			return frontMatter{yaml: data[start:end], start: start, end: end, body: data[bodyStart:]}, nil
		}
		pos += len(data[pos:]) - len(next)
	}
	return frontMatter{}, fmt.Errorf(`the front matter opened on line 1 has no closing "---" line`)
}

// cutLine splits off the first line (without its line ending); ok reports a line ending.
func cutLine(data []byte) (line, rest []byte, ok bool) {
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		return data, nil, false
	}
	return data[:i], data[i+1:], true
}

func isDelimiter(line []byte) bool {
	return string(bytes.TrimRight(line, " \t\r")) == "---"
}

// stateLine matches a top-level "state:" key and captures what follows the colon.
var stateLine = regexp.MustCompile(`^state[ \t]*:`)

// replaceState returns data with the value of the front matter's top-level state key replaced
// by newState, touching no other byte.
func replaceState(data []byte, newState string) ([]byte, error) {
	fm, err := splitFrontMatter(data)
	if err != nil {
		return nil, err
	}
	pos, lineNo := fm.start, 2
	for pos < fm.end {
		segment := data[pos:fm.end]
		line, next, _ := cutLine(segment)
		if loc := stateLine.FindIndex(line); loc != nil {
			valStart, valEnd, err := scalarSpan(line, loc[1])
			if err == nil && continues(next) {
				err = errMultiLineState
			}
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", lineNo, err)
			}
			var out bytes.Buffer
			out.Write(data[:pos+valStart])
			out.WriteString(yamlScalar(newState))
			out.Write(data[pos+valEnd:])
			return out.Bytes(), nil
		}
		pos += len(segment) - len(next)
		lineNo++
	}
	return nil, fmt.Errorf("the front matter has no top-level state key")
}

var errMultiLineState = errors.New("state must be written on one line, on the same line as its key, to be updated")

// continues reports whether the line after a plain scalar carries on its value: in YAML an
// indented, non-comment line folds into the scalar above it.
func continues(rest []byte) bool {
	next, _, _ := cutLine(rest)
	if len(next) == 0 || (next[0] != ' ' && next[0] != '\t') {
		return false
	}
	trimmed := strings.TrimSpace(string(next))
	return trimmed != "" && !strings.HasPrefix(trimmed, "#")
}

// scalarSpan finds the value after the colon at from: leading blanks are skipped and a
// trailing comment and blanks are left out. Only one-line plain or quoted scalars qualify.
func scalarSpan(line []byte, from int) (int, int, error) {
	start := from
	for start < len(line) && (line[start] == ' ' || line[start] == '\t') {
		start++
	}
	rest := strings.TrimRight(string(line[start:]), "\r")
	if rest == "" || rest[0] == '|' || rest[0] == '>' || rest[0] == '#' {
		return 0, 0, errMultiLineState
	}
	switch rest[0] {
	case '"', '\'':
		q := rest[0]
		for i := 1; i < len(rest); i++ {
			switch {
			case q == '"' && rest[i] == '\\':
				i++
			case rest[i] == q && q == '\'' && i+1 < len(rest) && rest[i+1] == '\'':
				i++
			case rest[i] == q:
				if after := rest[i+1:]; strings.TrimSpace(after) != "" && !strings.HasPrefix(strings.TrimLeft(after, " \t"), "#") || strings.HasPrefix(after, "#") {
					return 0, 0, fmt.Errorf("unexpected text after the quoted state value")
				}
				return start, start + i + 1, nil
			}
		}
		return 0, 0, fmt.Errorf("the quoted state value is not closed on its line")
	}
	end := len(rest)
	if i := strings.Index(rest, " #"); i >= 0 {
		end = i
	}
	if i := strings.Index(rest, "\t#"); i >= 0 && i < end {
		end = i
	}
	return start, start + len(strings.TrimRight(rest[:end], " \t")), nil
}

// plainSafe is a state name YAML reads back as the same string without quotes.
var plainSafe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_. -]*[A-Za-z0-9_.]$|^[A-Za-z]$`)

// yamlScalar writes s so that YAML reads back exactly s.
func yamlScalar(s string) string {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "y", "n":
		return strconv.Quote(s)
	}
	if plainSafe.MatchString(s) && !strings.Contains(s, " #") {
		return s
	}
	return strconv.Quote(s)
}
