package jsonreply

import "testing"

func TestFirst(t *testing.T) {
	cases := []struct {
		name, text, want string
		ok               bool
	}{
		{"bare", `{"a":1}`, `{"a":1}`, true},
		{"fenced", "```json\n{\"a\": \"}\"}\n```", `{"a": "}"}`, true},
		{"prose before", "Sure {maybe} here: {\"a\":[1,{\"b\":2}]} done", `{"a":[1,{"b":2}]}`, true},
		{"escaped quote", `{"a":"x\"}"}`, `{"a":"x\"}"}`, true},
		{"none", "no json here", "", false},
		{"unbalanced", `{"a":1`, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := First(tc.text)
			if ok != tc.ok || string(got) != tc.want {
				t.Fatalf("First = %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
