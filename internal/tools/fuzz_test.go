package tools

import (
	"encoding/json"
	"slices"
	"testing"
)

// FuzzDecodeArgs feeds arbitrary argument bytes to the decoder: it must never panic, and
// whatever it accepts carries only declared parameters of their declared types.
func FuzzDecodeArgs(f *testing.F) {
	for _, seed := range []string{``, `null`, `{}`, `{"body":"x"}`, `{"limit":5}`, `{"limit":1e3}`,
		`{"issue_id":"x"}`, `[1]`, `{"body":"a","body":"b"}`, `{"comment_id":null,"body":"z"}`, "{\"body\":\"\\u0000\"}"} {
		f.Add([]byte(seed))
	}
	params := []param{
		{name: "body", kind: kindString},
		{name: "limit", kind: kindInteger},
		{name: "comment_id", kind: kindString},
		{name: "make_public", kind: kindBoolean},
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		a, terr := decodeArgs(json.RawMessage(raw), params, scopeKeys)
		if terr != nil {
			if terr.Code == "" || terr.Message == "" {
				t.Fatalf("refusal without code or message: %+v", terr)
			}
			return
		}
		for name, v := range a {
			i := slices.IndexFunc(params, func(p param) bool { return p.name == name })
			if i < 0 {
				t.Fatalf("accepted undeclared argument %q", name)
			}
			var ok bool
			switch params[i].kind {
			case kindString:
				_, ok = v.(string)
			case kindInteger:
				_, ok = v.(int64)
			case kindBoolean:
				_, ok = v.(bool)
			}
			if !ok {
				t.Fatalf("argument %q decoded as %T, declared %s", name, v, params[i].kind)
			}
		}
	})
}
