package codex

import (
	"strings"
	"unicode/utf8"
)

// maxQuestionBytes bounds the question text an item/tool/requestUserInput request turns into:
// it becomes a comment on the issue, and a runaway request must not flood the tracker.
const maxQuestionBytes = 2000

// noQuestionText stands in when Codex asked for input without saying what it wants.
const noQuestionText = "the agent asked for user input without a question"

// questionText renders the questions of an item/tool/requestUserInput request for a person:
// each question under its header, followed by the choices Codex offered.
func questionText(p userInputParams) string {
	var b strings.Builder
	for _, q := range p.Questions {
		text := strings.TrimSpace(q.Question)
		if text == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		if h := strings.TrimSpace(q.Header); h != "" && h != text {
			b.WriteString(h + "\n")
		}
		b.WriteString(text)
		for _, o := range q.Options {
			b.WriteString("\n- " + o.Label)
			if o.Description != "" {
				b.WriteString(": " + o.Description)
			}
		}
	}
	if b.Len() == 0 {
		return noQuestionText
	}
	return truncateText(b.String(), maxQuestionBytes)
}

// truncateText cuts s to at most limit bytes on a rune boundary, marking the cut.
func truncateText(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	const mark = " […]"
	cut := limit - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}
