package gate

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseVerdict(t *testing.T) {
	cases := []struct {
		name      string
		text      string
		score     int
		reason    string
		questions []string
		code      string
	}{
		{name: "plain", text: `{"score":7,"reason":"clear","questions":[]}`, score: 7, reason: "clear"},
		{name: "fenced", text: "```json\n{\"score\": 8, \"reason\": \"ok\"}\n```", score: 8, reason: "ok"},
		{name: "prose wrapped", text: "Here is my verdict:\n{\"score\": 4, \"reason\": \"vague\"}\nHope that helps {really}.", score: 4, reason: "vague"},
		{name: "brace prose before object", text: "Using {the rubric}, I say {\"score\": 5, \"reason\": \"meh\"}", score: 5, reason: "meh"},
		{name: "braces inside strings", text: `{"score": 6, "reason": "uses {curly} and \"quoted }\" text"}`, score: 6, reason: `uses {curly} and "quoted }" text`},
		{name: "float rounds up", text: `{"score": 6.6, "reason": "r"}`, score: 7, reason: "r"},
		{name: "float rounds down", text: `{"score": 6.4, "reason": "r"}`, score: 6, reason: "r"},
		{name: "digit string", text: `{"score": "9", "reason": "r"}`, score: 9, reason: "r"},
		{name: "float string", text: `{"score": " 2.5 ", "reason": "r"}`, score: 3, reason: "r"},
		{name: "lowest", text: `{"score": 1}`, score: 1, reason: noReason},
		{name: "highest", text: `{"score": 10, "reason": "  "}`, score: 10, reason: noReason},
		{name: "questions filtered", text: `{"score": 5, "reason": "r", "questions": ["a?", " ", 3, null, " b? "]}`, score: 5, reason: "r", questions: []string{"a?", "b?"}},
		{name: "zero", text: `{"score": 0, "reason": "r"}`, code: CodeScoreOutOfRange},
		{name: "eleven", text: `{"score": 11}`, code: CodeScoreOutOfRange},
		{name: "rounds past ten", text: `{"score": 10.5}`, code: CodeScoreOutOfRange},
		{name: "negative string", text: `{"score": "-3"}`, code: CodeScoreOutOfRange},
		{name: "word", text: `{"score": "high"}`, code: CodeInvalidScore},
		{name: "bool", text: `{"score": true}`, code: CodeInvalidScore},
		{name: "null", text: `{"score": null}`, code: CodeInvalidScore},
		{name: "missing", text: `{"reason": "no score"}`, code: CodeInvalidScore},
		{name: "no object", text: "I would give it a seven.", code: CodeNoJSONObject},
		{name: "unbalanced", text: `{"score": 7`, code: CodeNoJSONObject},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := ParseVerdict(tc.text)
			if tc.code != "" {
				var gerr *Error
				if !errors.As(err, &gerr) || gerr.Code != tc.code {
					t.Fatalf("err = %v, want code %s (verdict %+v)", err, tc.code, v)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.Score != tc.score || v.Reason != tc.reason || !reflect.DeepEqual(v.Questions, tc.questions) {
				t.Fatalf("verdict = %+v, want score %d reason %q questions %q", v, tc.score, tc.reason, tc.questions)
			}
		})
	}
}
