package notify

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/symphony-go/symphony/internal/secretscan"
)

// maxFieldLen caps every string in a payload, so one runaway reason cannot make a huge request.
const maxFieldLen = 1024

// sanitizer prepares strings for a payload: secrets redacted first, then the length capped, so
// a cut can never leave half a secret behind.
type sanitizer struct {
	scanner *secretscan.Scanner
}

func (s sanitizer) text(v string) string {
	v = s.scanner.Redact(v)
	if len(v) <= maxFieldLen {
		return v
	}
	cut := maxFieldLen
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return v[:cut]
}

// value sanitizes every string inside a metadata value, recursing through maps and slices;
// other values are rendered through JSON first so nothing escapes the scan.
func (s sanitizer) value(v any) any {
	switch t := v.(type) {
	case nil, bool, int, int64, float64:
		return t
	case string:
		return s.text(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[s.text(k)] = s.value(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = s.value(x)
		}
		return out
	default:
		raw, err := json.Marshal(t)
		if err != nil {
			return s.text(fmt.Sprint(t))
		}
		var generic any
		if json.Unmarshal(raw, &generic) != nil {
			return s.text(string(raw))
		}
		return s.value(generic)
	}
}

// webhookPayload is the generic webhook body: the event's fields with empty ones dropped and
// titles dropped when redactTitles is set.
func webhookPayload(e Event, at time.Time, redactTitles bool, s sanitizer) map[string]any {
	out := map[string]any{
		"event":     e.Name,
		"timestamp": at.UTC().Format(time.RFC3339),
	}
	put := func(key, v string) {
		if v != "" {
			out[key] = s.text(v)
		}
	}
	put("repo_key", e.RepoKey)
	put("issue_id", e.IssueID)
	put("issue_identifier", e.IssueIdentifier)
	put("issue_url", e.IssueURL)
	put("pr_url", e.PRURL)
	put("state_url", e.stateURL())
	put("transcript_url", e.TranscriptURL)
	put("state", e.State)
	put("reason", e.Reason)
	put("question", e.Question)
	put("run_id", e.RunID)
	put("session_id", e.SessionID)
	if !redactTitles {
		put("issue_title", e.IssueTitle)
		put("pr_title", e.PRTitle)
	}
	if e.Attempt != 0 {
		out["attempt"] = e.Attempt
	}
	if e.Tokens != nil {
		out["tokens"] = *e.Tokens
	}
	if len(e.Metadata) > 0 {
		out["metadata"] = s.value(e.Metadata)
	}
	return out
}

// slackPayload is a Slack incoming-webhook message: a plain-text fallback plus one attachment
// with a linked headline, the key fields and when it was sent.
func slackPayload(e Event, at time.Time, redactTitles bool, s sanitizer) map[string]any {
	title := eventTitles[e.Name]
	id := s.text(e.IssueIdentifier)
	if id == "" {
		id = s.text(e.IssueID)
	}
	headline := "*" + slackEscape(title+": "+id) + "*"
	if link := s.text(e.stateURL()); link != "" {
		headline = "*" + slackLink(link, title+": "+id) + "*"
	}
	if !redactTitles {
		if t := s.text(e.IssueTitle); t != "" {
			headline += "\n" + slackEscape(t)
		}
		if t := s.text(e.PRTitle); t != "" {
			headline += "\n" + slackEscape("PR: "+t)
		}
	}
	var fields []map[string]any
	field := func(label, v string) {
		if v = s.text(v); v != "" {
			fields = append(fields, map[string]any{"type": "mrkdwn", "text": "*" + label + "*\n" + slackEscape(v)})
		}
	}
	field("Event", e.Name)
	field("State URL", e.stateURL())
	field("PR", e.PRURL)
	field("Transcript", e.TranscriptURL)
	field("State", e.State)
	field("Reason", e.Reason)
	field("Question", e.Question)
	blocks := []map[string]any{
		{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": headline}},
	}
	if len(fields) > 0 {
		blocks = append(blocks, map[string]any{"type": "section", "fields": fields})
	}
	blocks = append(blocks, map[string]any{"type": "context", "elements": []map[string]any{
		{"type": "mrkdwn", "text": "sent " + at.UTC().Format(time.RFC3339)},
	}})
	color := eventColors[e.Name]
	if color == "" {
		color = okColor
	}
	return map[string]any{
		"text":        title + ": " + id,
		"attachments": []map[string]any{{"color": color, "blocks": blocks}},
	}
}

// slackEscape escapes the three characters Slack's mrkdwn treats as control characters.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// slackLink renders <url|label>; the URL's own '|' and '>' would end the link early.
func slackLink(url, label string) string {
	url = strings.NewReplacer("|", "%7C", ">", "%3E", "<", "%3C").Replace(url)
	return "<" + url + "|" + slackEscape(label) + ">"
}
