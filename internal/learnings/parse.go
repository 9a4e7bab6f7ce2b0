package learnings

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Candidate is one rule as the model proposed it, before it is stored.
type Candidate struct {
	Rule          string   `json:"rule"`
	Tags          []string `json:"tags"`
	EvidenceQuote string   `json:"evidence_quote"`
}

// Tag rules: two to five kebab-case tags per rule.
const (
	minTags = 2
	maxTags = 5
)

var kebabTag = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// maxRuleChars and maxQuoteChars bound what one rule may store.
const (
	maxRuleChars  = 500
	maxQuoteChars = 1000
)

// parseReply reads the model's reply: {"learnings":[…]}, a bare list, or one object,
// optionally inside a Markdown code fence. Any invalid entry discards the whole reply, since a
// model that got one rule wrong is not trusted with the others.
func parseReply(text string) ([]Candidate, error) {
	body := stripFence(strings.TrimSpace(text))
	var out []Candidate
	switch {
	case strings.HasPrefix(body, "["):
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			return nil, fmt.Errorf("reply is not a JSON list of learnings: %w", err)
		}
	case strings.HasPrefix(body, "{"):
		var wrapped struct {
			Learnings *[]Candidate `json:"learnings"`
		}
		if err := json.Unmarshal([]byte(body), &wrapped); err != nil {
			return nil, fmt.Errorf("reply is not a JSON object: %w", err)
		}
		if wrapped.Learnings != nil {
			out = *wrapped.Learnings
			break
		}
		var one Candidate
		if err := json.Unmarshal([]byte(body), &one); err != nil {
			return nil, fmt.Errorf("reply is not a learning: %w", err)
		}
		out = []Candidate{one}
	default:
		return nil, fmt.Errorf("reply is not JSON (starts with %q)", firstRunes(body, 20))
	}
	for i, c := range out {
		if err := c.validate(); err != nil {
			return nil, fmt.Errorf("learning %d: %w", i+1, err)
		}
	}
	return out, nil
}

func (c Candidate) validate() error {
	switch {
	case strings.TrimSpace(c.Rule) == "":
		return fmt.Errorf("rule is empty")
	case len([]rune(c.Rule)) > maxRuleChars:
		return fmt.Errorf("rule is longer than %d characters", maxRuleChars)
	case strings.TrimSpace(c.EvidenceQuote) == "":
		return fmt.Errorf("evidence_quote is empty")
	case len([]rune(c.EvidenceQuote)) > maxQuoteChars:
		return fmt.Errorf("evidence_quote is longer than %d characters", maxQuoteChars)
	case len(c.Tags) < minTags || len(c.Tags) > maxTags:
		return fmt.Errorf("has %d tags, want %d to %d", len(c.Tags), minTags, maxTags)
	}
	for _, t := range c.Tags {
		if !kebabTag.MatchString(t) {
			return fmt.Errorf("tag %q is not kebab-case (lowercase letters and digits joined by hyphens)", t)
		}
	}
	return nil
}

// stripFence removes one surrounding ``` or ```json fence.
func stripFence(s string) string {
	if !strings.HasPrefix(s, "```") {
		return s
	}
	s = strings.TrimPrefix(s, "```")
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "```"))
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}
