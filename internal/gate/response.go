package gate

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/symphony-go/symphony/internal/jsonreply"
)

// Verdict is the model's parsed answer.
type Verdict struct {
	Score     int
	Reason    string
	Questions []string
}

// Score bounds; anything outside after rounding is refused rather than clamped, since a
// model answering 42 did not follow the instructions and its reason cannot be trusted.
const (
	minScore = 1
	maxScore = 10

	noReason = "(no reason provided)"
)

type rawVerdict struct {
	Score     json.RawMessage   `json:"score"`
	Reason    string            `json:"reason"`
	Questions []json.RawMessage `json:"questions"`
}

// ParseVerdict reads the model's reply tolerantly: code fences and surrounding prose are
// ignored, the first balanced JSON object that decodes is used, a score may be a number
// (rounded) or a numeric string, and must land in 1..10.
func ParseVerdict(text string) (Verdict, error) {
	obj, ok := jsonreply.First(text)
	if !ok {
		return Verdict{}, errorf(CodeNoJSONObject, "model reply holds no JSON object: %q", clip(text))
	}
	var raw rawVerdict
	if err := json.Unmarshal(obj, &raw); err != nil {
		return Verdict{}, &Error{Code: CodeNoJSONObject, Detail: "decode model reply " + strconv.Quote(clip(string(obj))), Err: err}
	}
	score, err := parseScore(raw.Score)
	if err != nil {
		return Verdict{}, err
	}
	v := Verdict{Score: score, Reason: strings.TrimSpace(raw.Reason)}
	if v.Reason == "" {
		v.Reason = noReason
	}
	for _, q := range raw.Questions {
		var s string
		if json.Unmarshal(q, &s) == nil && strings.TrimSpace(s) != "" {
			v.Questions = append(v.Questions, strings.TrimSpace(s))
		}
	}
	return v, nil
}

func parseScore(raw json.RawMessage) (int, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, errorf(CodeInvalidScore, "model reply has no score")
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0, errorf(CodeInvalidScore, "score %s is neither a number nor a numeric string", raw)
		}
		parsed, perr := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if perr != nil || math.IsNaN(parsed) || math.IsInf(parsed, 0) {
			return 0, errorf(CodeInvalidScore, "score %s is not a number", raw)
		}
		f = parsed
	}
	rounded := math.Round(f)
	if rounded < minScore || rounded > maxScore {
		return 0, errorf(CodeScoreOutOfRange, "score %s is outside %d..%d", raw, minScore, maxScore)
	}
	return int(rounded), nil
}

func clip(s string) string {
	if r := []rune(s); len(r) > errorBodyChars {
		return string(r[:errorBodyChars]) + "…"
	}
	return s
}
