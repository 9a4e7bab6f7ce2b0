package jira

import (
	"encoding/json"
	"strings"
)

// Bounds for reading Atlassian Document Format, which comes from the tracker and is untrusted:
// how deep nodes may nest and how much text one document may produce.
const (
	maxADFDepth     = 64
	maxADFTextBytes = 1 << 20
)

// adfNode is one node of an Atlassian Document Format tree.
type adfNode struct {
	Type    string         `json:"type"`
	Text    string         `json:"text,omitempty"`
	Attrs   map[string]any `json:"attrs,omitempty"`
	Content []adfNode      `json:"content,omitempty"`
	Version int            `json:"version,omitempty"`
}

// textToADF turns plain text into a document: blank lines separate paragraphs and single line
// breaks become hard breaks, so the text reads the same in Jira.
func textToADF(text string) adfNode {
	doc := adfNode{Type: "doc", Version: 1, Content: []adfNode{}}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	for _, para := range strings.Split(text, "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		p := adfNode{Type: "paragraph"}
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				p.Content = append(p.Content, adfNode{Type: "hardBreak"})
			}
			if line != "" {
				p.Content = append(p.Content, adfNode{Type: "text", Text: line})
			}
		}
		doc.Content = append(doc.Content, p)
	}
	return doc
}

// adfToText renders a document (or null) as plain text: paragraphs and headings separated by
// blank lines, list items prefixed, code blocks fenced, mentions and cards by their text.
// Malformed input yields what could be read; too deep or too long input is cut off.
func adfToText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var doc adfNode
	if err := json.Unmarshal(raw, &doc); err != nil {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return ""
	}
	var r adfRenderer
	r.block(doc, 0)
	return strings.TrimSpace(r.b.String())
}

type adfRenderer struct {
	b strings.Builder
}

func (r *adfRenderer) write(s string) {
	if room := maxADFTextBytes - r.b.Len(); room > 0 {
		if len(s) > room {
			s = s[:room]
		}
		r.b.WriteString(s)
	}
}

// block renders block-level nodes, each ending with a blank line.
func (r *adfRenderer) block(n adfNode, depth int) {
	if depth > maxADFDepth {
		return
	}
	switch n.Type {
	case "paragraph", "heading":
		r.inline(n.Content, depth+1)
		r.write("\n\n")
	case "bulletList", "orderedList":
		for i, item := range n.Content {
			marker := "- "
			if n.Type == "orderedList" {
				marker = itoa(i+1) + ". "
			}
			r.write(marker)
			var sub adfRenderer
			for _, c := range item.Content {
				sub.block(c, depth+2)
			}
			r.write(strings.ReplaceAll(strings.TrimSpace(sub.b.String()), "\n", "\n  "))
			r.write("\n")
		}
		r.write("\n")
	case "codeBlock":
		r.write("```\n")
		r.inline(n.Content, depth+1)
		r.write("\n```\n\n")
	case "rule":
		r.write("---\n\n")
	case "text", "hardBreak", "mention", "emoji", "inlineCard", "date", "status":
		r.inline([]adfNode{n}, depth)
		r.write("\n\n")
	default:
		for _, c := range n.Content {
			r.block(c, depth+1)
		}
	}
}

// inline renders inline nodes in order.
func (r *adfRenderer) inline(nodes []adfNode, depth int) {
	if depth > maxADFDepth {
		return
	}
	for _, n := range nodes {
		switch n.Type {
		case "text":
			r.write(n.Text)
		case "hardBreak":
			r.write("\n")
		case "mention":
			r.write(attr(n, "text"))
		case "emoji":
			r.write(attr(n, "shortName"))
		case "inlineCard":
			r.write(attr(n, "url"))
		case "status":
			r.write(attr(n, "text"))
		default:
			r.inline(n.Content, depth+1)
		}
	}
}

func attr(n adfNode, key string) string {
	s, _ := n.Attrs[key].(string)
	return s
}
