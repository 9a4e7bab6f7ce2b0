package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// scrubDetails turns details into plain JSON values (so the stored form re-encodes exactly when
// verified) and redacts every string in them, map keys included.
func scrubDetails(details map[string]any, r Redactor) (map[string]any, error) {
	if len(details) == 0 {
		return nil, nil
	}
	raw, err := json.Marshal(details)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var plain map[string]any
	if err := dec.Decode(&plain); err != nil {
		return nil, err
	}
	out, ok := scrubValue(plain, r).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("details are not a JSON object")
	}
	return out, nil
}

func scrubValue(v any, r Redactor) any {
	switch v := v.(type) {
	case string:
		return r.Redact(v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[r.Redact(k)] = scrubValue(x, r)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = scrubValue(x, r)
		}
		return out
	default:
		return v
	}
}
