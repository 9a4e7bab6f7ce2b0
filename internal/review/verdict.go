package review

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/symphony-go/symphony/internal/jsonreply"
)

// Verdict is the reviewer's decision.
type Verdict string

// The verdicts a reviewer may return.
const (
	Approve        Verdict = "approve"
	RequestChanges Verdict = "request_changes"
	Block          Verdict = "block"
)

// Finding is one problem the reviewer reports, quoting the code it is about.
type Finding struct {
	Summary       string `json:"summary"`
	File          string `json:"file"`
	LineRange     [2]int `json:"line_range"`
	QuotedSnippet string `json:"quoted_snippet"`
	SuggestedFix  string `json:"suggested_fix"`
}

// Response is one parsed reviewer reply.
type Response struct {
	Verdict  Verdict   `json:"verdict"`
	Findings []Finding `json:"findings"`
	Reason   string    `json:"reason"`
}

// CodeMalformed is the error code of a reply that is not a usable verdict; the evaluation
// counts it as inconclusive.
const CodeMalformed = "malformed_review_agent_response"

// MalformedError says why a reviewer reply was refused.
type MalformedError struct{ Detail string }

func (e *MalformedError) Error() string { return CodeMalformed + ": " + e.Detail }

// replyQuoteChars bounds how much of a refused reply an error quotes.
const replyQuoteChars = 200

// ParseResponse reads the first JSON object of the reviewer's reply and checks its shape:
// a known verdict, findings with a file, an ordered 1-based line range and a quote, and a
// reason for a block. Approve may carry no findings.
func ParseResponse(text string) (Response, error) {
	obj, ok := jsonreply.First(text)
	if !ok {
		return Response{}, &MalformedError{Detail: fmt.Sprintf("no JSON object in the reply %q", clip(text))}
	}
	var r Response
	if err := json.Unmarshal(obj, &r); err != nil {
		return Response{}, &MalformedError{Detail: "decode the verdict: " + err.Error()}
	}
	r.Reason = strings.TrimSpace(r.Reason)
	switch r.Verdict {
	case Approve, RequestChanges:
	case Block:
		if r.Reason == "" {
			return Response{}, &MalformedError{Detail: "a block verdict needs a reason"}
		}
	default:
		return Response{}, &MalformedError{Detail: fmt.Sprintf("verdict %q is not approve, request_changes or block", r.Verdict)}
	}
	for i, f := range r.Findings {
		switch {
		case strings.TrimSpace(f.File) == "":
			return Response{}, &MalformedError{Detail: fmt.Sprintf("finding %d has no file", i+1)}
		case f.LineRange[0] < 1 || f.LineRange[1] < f.LineRange[0]:
			return Response{}, &MalformedError{Detail: fmt.Sprintf("finding %d has line_range %v (want [first, last], 1-based)", i+1, f.LineRange)}
		case strings.TrimSpace(f.QuotedSnippet) == "":
			return Response{}, &MalformedError{Detail: fmt.Sprintf("finding %d quotes no code", i+1)}
		}
	}
	if r.Verdict != Approve && len(r.Findings) == 0 {
		return Response{}, &MalformedError{Detail: string(r.Verdict) + " without findings"}
	}
	return r, nil
}

func clip(s string) string {
	if r := []rune(s); len(r) > replyQuoteChars {
		return string(r[:replyQuoteChars]) + "…"
	}
	return s
}
