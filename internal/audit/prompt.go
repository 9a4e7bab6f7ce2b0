package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"unicode/utf8"
)

// AppendPrompt records a prompt sent to an agent without storing the prompt: only its SHA-256,
// its length and a short preview that is redacted before it is cut, so a secret straddling the
// cut cannot survive as a fragment. ev.Type is set to prompt_sent; ev.Details are kept.
func (l *Log) AppendPrompt(ctx context.Context, ev Event, prompt string) (Record, error) {
	sum := sha256.Sum256([]byte(prompt))
	preview := l.opts.Redactor.Redact(prompt)
	truncated := false
	if utf8.RuneCountInString(preview) > l.opts.PreviewChars {
		preview = string([]rune(preview)[:l.opts.PreviewChars])
		truncated = true
	}
	details := maps.Clone(ev.Details)
	if details == nil {
		details = map[string]any{}
	}
	details["prompt_sha256"] = hex.EncodeToString(sum[:])
	details["prompt_chars"] = utf8.RuneCountInString(prompt)
	details["prompt_preview"] = preview
	details["prompt_preview_truncated"] = truncated
	ev.Type = EventPromptSent
	ev.Details = details
	return l.Append(ctx, ev)
}
