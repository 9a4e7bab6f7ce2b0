package local

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
)

// commentHeaderPrefix opens every comment header line; see doc.go for the whole format.
const commentHeaderPrefix = "<!-- symphony comment"

var (
	commentHeader = regexp.MustCompile(`^<!-- symphony comment((?:\s+[a-z]+="(?:[^"\\]|\\.)*")*)\s*-->\s*$`)
	commentAttr   = regexp.MustCompile(`([a-z]+)="((?:[^"\\]|\\.)*)"`)
	escapedHeader = regexp.MustCompile(`^\\+<!-- symphony comment`)
)

// commentsFile is a parsed comments file.
type commentsFile struct {
	// preamble is any text before the first header, kept verbatim.
	preamble string
	comments []issue.Comment
}

// parseComments reads a comments file; path is used in errors.
func parseComments(path string, data []byte) (commentsFile, error) {
	var (
		out     commentsFile
		body    []string
		current *issue.Comment
	)
	flush := func() {
		if current != nil {
			current.Body = strings.Join(trimSeparator(body), "\n")
			out.comments = append(out.comments, *current)
		}
		body = nil
	}
	lines := strings.Split(string(data), "\n")
	for i, line := range lines {
		if strings.HasPrefix(line, commentHeaderPrefix) {
			m := commentHeader.FindStringSubmatch(strings.TrimRight(line, "\r"))
			if m == nil {
				return commentsFile{}, &ParseError{Path: path, Line: i + 1, Msg: `comment header must look like <!-- symphony comment author="name" -->`}
			}
			if current == nil {
				out.preamble = strings.Join(body, "\n")
				if len(body) > 0 {
					out.preamble += "\n"
				}
			}
			flush()
			c, err := headerComment(m[1], len(out.comments)+1)
			if err != nil {
				return commentsFile{}, &ParseError{Path: path, Line: i + 1, Msg: err.Error()}
			}
			current = &c
			continue
		}
		if escapedHeader.MatchString(line) {
			line = line[1:]
		}
		body = append(body, line)
	}
	if current == nil {
		out.preamble = string(data)
		return out, nil
	}
	flush()
	return out, nil
}

func headerComment(attrs string, position int) (issue.Comment, error) {
	c := issue.Comment{ID: "c" + strconv.Itoa(position), Author: "unknown"}
	for _, m := range commentAttr.FindAllStringSubmatch(attrs, -1) {
		value, err := strconv.Unquote(`"` + m[2] + `"`)
		if err != nil {
			return c, fmt.Errorf("attribute %s has a bad escape: %v", m[1], err)
		}
		switch m[1] {
		case "id":
			c.ID = value
		case "author":
			c.Author = value
		case "created", "updated":
			t, err := time.Parse(time.RFC3339Nano, value)
			if err != nil {
				return c, fmt.Errorf("%s=%q is not an RFC 3339 time", m[1], value)
			}
			if m[1] == "created" {
				c.CreatedAt = &t
			} else {
				c.UpdatedAt = &t
			}
		default:
			return c, fmt.Errorf("unknown comment attribute %q (known: id, author, created, updated)", m[1])
		}
	}
	return c, nil
}

// trimSeparator drops the blank line that separates a body from the next header, and the
// empty string a final newline leaves behind.
func trimSeparator(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// render writes the comments file back in the documented form.
func (f commentsFile) render() []byte {
	var b strings.Builder
	b.WriteString(f.preamble)
	if f.preamble != "" && !strings.HasSuffix(f.preamble, "\n") {
		b.WriteString("\n")
	}
	for i, c := range f.comments {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(renderComment(c))
	}
	return []byte(b.String())
}

func renderComment(c issue.Comment) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s id=%s author=%s", commentHeaderPrefix, quoteAttr(c.ID), quoteAttr(c.Author))
	if c.CreatedAt != nil {
		fmt.Fprintf(&b, " created=%s", quoteAttr(c.CreatedAt.UTC().Format(time.RFC3339)))
	}
	if c.UpdatedAt != nil && (c.CreatedAt == nil || !c.UpdatedAt.Equal(*c.CreatedAt)) {
		fmt.Fprintf(&b, " updated=%s", quoteAttr(c.UpdatedAt.UTC().Format(time.RFC3339)))
	}
	b.WriteString(" -->\n")
	for _, line := range strings.Split(strings.TrimRight(c.Body, "\n"), "\n") {
		if strings.HasPrefix(line, commentHeaderPrefix) || escapedHeader.MatchString(line) {
			line = `\` + line
		}
		b.WriteString(line)
		b.WriteString("\n")
	}
	return b.String()
}

func quoteAttr(s string) string { return strconv.Quote(s) }
