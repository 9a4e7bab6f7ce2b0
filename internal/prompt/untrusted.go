package prompt

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Field is one kind of untrusted text: the boundary tag it is wrapped in and the most
// characters (after escaping) it may occupy inside that tag.
type Field struct {
	Tag   string
	Limit int
}

// The limits in one place. Every string from the tracker, GitHub or CI that reaches a prompt
// is cut to one of these. FieldIssueTitle, FieldIssueBody and FieldIssueComment are Linear's
// (and the file-based trackers'); IssueFieldsFor names the others' tags.
var (
	FieldIssueTitle        = Field{Tag: "linear_issue_title", Limit: 500}
	FieldIssueBody         = Field{Tag: "linear_issue_body", Limit: 10_000}
	FieldIssueComment      = Field{Tag: "linear_issue_comment_body", Limit: 5_000}
	FieldPRTitle           = Field{Tag: "github_pr_title", Limit: 500}
	FieldPRBody            = Field{Tag: "github_pr_body", Limit: 10_000}
	FieldReviewComment     = Field{Tag: "github_review_comment_body", Limit: 5_000}
	FieldCILogExcerpt      = Field{Tag: "ci_failure_log_excerpt", Limit: 20_000}
	FieldCompactCILog      = Field{Tag: "ci_failure_log_excerpt", Limit: 4_000}
	FieldCompactReviewNote = Field{Tag: "github_review_comment_body", Limit: 1_500}
)

// IssueFields are the fields one tracker's issue text is wrapped in.
type IssueFields struct {
	Title, Body, Comment Field
}

// providersWithOwnTags are the trackers whose issue text is tagged with their own name. Linear
// has the reference's linear_issue_* tags; the local and memory trackers, which hold issues
// written for it, keep them too.
var providersWithOwnTags = map[string]bool{"github": true, "gitlab": true, "jira": true}

// IssueFieldsFor returns the fields for the tracker provider's issue text: the tags are named
// after the provider (github_issue_title, gitlab_issue_body, jira_issue_comment_body ...), so
// the agent can tell which system the untrusted text came from; the limits are the same for
// every tracker.
func IssueFieldsFor(provider string) IssueFields {
	fields := IssueFields{Title: FieldIssueTitle, Body: FieldIssueBody, Comment: FieldIssueComment}
	name := strings.ToLower(strings.TrimSpace(provider))
	if !providersWithOwnTags[name] {
		return fields
	}
	for _, f := range []*Field{&fields.Title, &fields.Body, &fields.Comment} {
		f.Tag = name + strings.TrimPrefix(f.Tag, "linear")
	}
	return fields
}

// inlineLimit bounds short metadata (labels, states, author names, branch names) that sits
// on a line of its own rather than inside a boundary block.
const inlineLimit = 200

// scanWindow is how many times a field's limit is read from the raw text; the rest cannot
// reach the prompt anyway.
const scanWindow = 4

// Sanitized is untrusted text made safe to place in a prompt.
type Sanitized struct {
	Text string
	// Anomalous is true when injection markers were found and neutralised.
	Anomalous bool
}

// Wrap neutralises injection markers in text, escapes it so it cannot close its own block,
// truncates it to the field's limit with a visible marker, and encloses it in the field's
// boundary tag. Blank text yields an empty Text, so templates can test for its presence.
func Wrap(f Field, text string) Sanitized {
	if strings.TrimSpace(text) == "" {
		return Sanitized{}
	}
	// Work on a bounded prefix so a multi-megabyte log costs no more than a long one. Notes
	// can shrink the text, so a prefix cut here is marked even if what is left fits.
	raw, dropped := cutRunes(text, scanWindow*f.Limit)
	body, anomalous := neutralize(raw)
	body = escapeBoundary(body)
	if kept, cut := cutRunes(body, f.Limit); cut || dropped {
		body = kept + TruncationMarker(f)
	}
	return Sanitized{Text: "<" + f.Tag + ">\n" + body + "\n</" + f.Tag + ">", Anomalous: anomalous}
}

// Inline treats short metadata the same way as Wrap but keeps it on one line without tags,
// since a label or a branch name inside a block would be harder to read than to misuse. Only
// angle brackets are escaped: with no block to close, an escaped "&" would just break URLs.
func Inline(text string) Sanitized {
	raw, dropped := cutRunes(text, scanWindow*inlineLimit)
	body, anomalous := neutralize(raw)
	body = strings.Join(strings.Fields(angleEscaper.Replace(body)), " ")
	if kept, cut := cutRunes(body, inlineLimit); cut || dropped {
		body = kept + inlineTruncationMarker
	}
	return Sanitized{Text: body, Anomalous: anomalous}
}

const inlineTruncationMarker = " [truncated by Symphony]"

// TruncationMarker is appended to text cut at a field's limit.
func TruncationMarker(f Field) string {
	return fmt.Sprintf("\n[truncated by Symphony: %s exceeded %d characters]", f.Tag, f.Limit)
}

var (
	boundaryEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	angleEscaper    = strings.NewReplacer("<", "&lt;", ">", "&gt;")
)

func escapeBoundary(s string) string { return boundaryEscaper.Replace(s) }

// cutRunes returns the first limit characters of s and whether anything was dropped. A cut
// that would split an escape sequence such as "&amp;" backs off to before it, so the kept
// text never ends in half an entity.
func cutRunes(s string, limit int) (string, bool) {
	if utf8.RuneCountInString(s) <= limit {
		return s, false
	}
	cut, n := 0, 0
	for i := range s {
		if n == limit {
			cut = i
			break
		}
		n++
	}
	if amp := strings.LastIndexByte(s[:cut], '&'); amp >= 0 && cut-amp < len("&amp;") && !strings.Contains(s[amp:cut], ";") {
		cut = amp
	}
	return s[:cut], true
}
