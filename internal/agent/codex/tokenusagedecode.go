package codex

import (
	"github.com/go-json-experiment/json/jsontext"

	"github.com/symphony-go/symphony/internal/agent/jsonl"
)

// thread/tokenUsage/updated params arrive after every model response, so, like item/completed
// params (itemdecode.go), they decode themselves member by member with encoding/json's
// semantics instead of through the library's reflection.
// FuzzTokenUsageMatchesEncodingJSON holds them to encoding/json. These are the JSON names of
// their fields.
var (
	tokenUsageParamsFields = jsonl.FieldNames[tokenUsageParams]()
	tokenUsageFields       = jsonl.FieldNames[tokenUsage]()
	tokenTotalsFields      = jsonl.FieldNames[tokenTotals]()
)

// UnmarshalJSONFrom decodes the params, reporting the first member of another type than its
// field's as a *jsonv1.UnmarshalTypeError once the whole value is read.
func (p *tokenUsageParams) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return jsonl.DecodeParams(dec, p.decodeFrom)
}

func (p *tokenUsageParams) decodeFrom(d *jsonl.ParamsDecoder) error {
	return d.Object(p, tokenUsageParamsFields, func(field string) error {
		switch field {
		case "threadId":
			return d.String(&p.ThreadID)
		case "tokenUsage":
			return d.Object(&p.TokenUsage, tokenUsageFields, func(field string) error {
				if field == "total" {
					return p.TokenUsage.Total.decodeFrom(d)
				}
				return d.Skip()
			})
		}
		return d.Skip()
	})
}

func (t *tokenTotals) decodeFrom(d *jsonl.ParamsDecoder) error {
	return d.Object(t, tokenTotalsFields, func(field string) error {
		switch field {
		case "totalTokens":
			return jsonl.IntegerPointer(d, &t.TotalTokens)
		case "inputTokens":
			return jsonl.Integer(d, &t.InputTokens)
		case "cachedInputTokens":
			return jsonl.Integer(d, &t.CachedInputTokens)
		case "cacheWriteInputTokens":
			return jsonl.Integer(d, &t.CacheWriteInputTokens)
		case "outputTokens":
			return jsonl.Integer(d, &t.OutputTokens)
		}
		return d.Skip()
	})
}
