package codex

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestQuestionText(t *testing.T) {
	long := strings.Repeat("é", maxQuestionBytes)
	cases := []struct {
		name   string
		params string
		want   string
	}{
		{name: "no questions", params: `{"turnId":"t","questions":[]}`, want: noQuestionText},
		{name: "blank question", params: `{"questions":[{"id":"q","header":"H","question":"  "}]}`, want: noQuestionText},
		{name: "header equal to the question is not repeated",
			params: `{"questions":[{"id":"q","header":"Which port?","question":"Which port?"}]}`, want: "Which port?"},
		{name: "two questions with options",
			params: `{"questions":[{"id":"a","header":"Port","question":"Which port?","options":[{"label":"80","description":"http"}]},{"id":"b","header":"","question":"Which host?"}]}`,
			want:   "Port\nWhich port?\n- 80: http\n\nWhich host?"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p userInputParams
			if err := json.Unmarshal([]byte(c.params), &p); err != nil {
				t.Fatal(err)
			}
			if got := questionText(p); got != c.want {
				t.Errorf("questionText = %q, want %q", got, c.want)
			}
		})
	}
	t.Run("long question is cut on a rune boundary", func(t *testing.T) {
		p := userInputParams{Questions: []userInputQuestion{{Question: long}}}
		got := questionText(p)
		if len(got) > maxQuestionBytes || !utf8.ValidString(got) || !strings.HasSuffix(got, "[…]") || !strings.HasPrefix(got, "ééé") {
			t.Errorf("questionText of %d bytes = %d bytes, valid %v, tail %q", len(long), len(got), utf8.ValidString(got), got[len(got)-10:])
		}
	})
}
