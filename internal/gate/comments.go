package gate

import (
	"fmt"
	"strings"

	"github.com/symphony-go/symphony/internal/issue"
)

// commentPrefix opens every comment the gate posts; re-scoring recognises its own comments by
// it and leaves them out of the freshness signature and the prompt.
const commentPrefix = "Symphony quality gate: "

// workpadHeadings open the agents' workpad comments, which are Symphony's too.
var workpadHeadings = []string{"## Codex Workpad", "## Claude Workpad"}

// fallbackQuestions fill a clarification request up to three questions when the model
// offered fewer.
var fallbackQuestions = []string{
	"What exact behaviour should exist once this issue is done, and how can it be checked?",
	"Which files, components or endpoints does the change touch?",
	"What is explicitly out of scope for this issue?",
}

const minQuestions = 3

// IsSymphonyComment reports whether body was written by the gate or is an agent workpad.
func IsSymphonyComment(body string) bool {
	trimmed := strings.TrimSpace(body)
	if strings.HasPrefix(trimmed, commentPrefix) {
		return true
	}
	for _, h := range workpadHeadings {
		if strings.HasPrefix(trimmed, h) {
			return true
		}
	}
	return false
}

func humanComments(all []issue.Comment) []issue.Comment {
	var out []issue.Comment
	for _, c := range all {
		if !IsSymphonyComment(c.Body) {
			out = append(out, c)
		}
	}
	return out
}

// ClarificationComment asks the author the scorer's questions (round of max).
func ClarificationComment(score, threshold, round, maxRounds int, reason string, questions []string) string {
	qs := append([]string(nil), questions...)
	for _, f := range fallbackQuestions {
		if len(qs) >= minQuestions {
			break
		}
		qs = append(qs, f)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%sclarification requested (score %d < pass_threshold %d; round %d/%d).\n\n", commentPrefix, score, threshold, round, maxRounds)
	fmt.Fprintf(&b, "Reason: %s\n\nQuestions:\n", reason)
	for i, q := range qs {
		fmt.Fprintf(&b, "%d. %s\n", i+1, q)
	}
	b.WriteString("\nPlease answer in a comment or update the description; Symphony will re-evaluate on the next poll.")
	return b.String()
}

// SkipComment explains a skip; rounds is how often clarification was already asked (0: never).
func SkipComment(score, threshold, rounds int, reason string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%sskipped (score %d < threshold %d).\n\nReason: %s\n\n", commentPrefix, score, threshold, reason)
	switch {
	case rounds == 1:
		b.WriteString("Asked once for clarification without reaching the threshold. ")
	case rounds > 1:
		fmt.Fprintf(&b, "Asked %d times for clarification without reaching the threshold. ", rounds)
	}
	b.WriteString("Edit the description to make the issue specific and self-contained; Symphony will re-evaluate on the next poll.")
	return b.String()
}

// ErrorSkipComment explains a skip caused by a failed model call under on_error: skip.
func ErrorSkipComment(threshold int) string {
	return fmt.Sprintf("%sskipped (LLM call failed; threshold %d).\n\n"+
		"The scoring model could not be reached or answered unusably, and issue_gate.on_error is skip. "+
		"Symphony will retry on the next poll.", commentPrefix, threshold)
}
