package codex

import (
	"github.com/go-json-experiment/json/jsontext"

	"github.com/symphony-go/symphony/internal/agent/jsonl"
)

// item/completed params arrive for every command, message and tool call of a turn, so they
// decode themselves member by member with encoding/json's semantics (jsonl.ParamsDecoder),
// which costs about a fifth less CPU than the library's first scan and reflection did.
// FuzzItemCompletedMatchesEncodingJSON holds them to encoding/json. These are the JSON names
// of their fields.
var (
	itemCompletedFields = jsonl.FieldNames[itemCompletedParams]()
	completedItemFields = jsonl.FieldNames[completedItem]()
	fileChangeFields    = jsonl.FieldNames[fileChange]()
)

// UnmarshalJSONFrom decodes the params, reporting the first member of another type than its
// field's as a *jsonv1.UnmarshalTypeError once the whole value is read.
func (p *itemCompletedParams) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return jsonl.DecodeParams(dec, p.decodeFrom)
}

func (p *itemCompletedParams) decodeFrom(d *jsonl.ParamsDecoder) error {
	return d.Object(p, itemCompletedFields, func(field string) error {
		switch field {
		case "turnId":
			return d.String(&p.TurnID)
		case "item":
			return p.Item.decodeFrom(d)
		}
		return d.Skip()
	})
}

func (it *completedItem) decodeFrom(d *jsonl.ParamsDecoder) error {
	return d.Object(it, completedItemFields, func(field string) error {
		switch field {
		case "type":
			return d.String(&it.Type)
		case "status":
			return d.String(&it.Status)
		case "text":
			return d.String(&it.Text)
		case "command":
			return d.String(&it.Command)
		case "cwd":
			return d.String(&it.Cwd)
		case "aggregatedOutput":
			return it.AggregatedOutput.decodeFrom(d)
		case "exitCode":
			return jsonl.IntegerPointer(d, &it.ExitCode)
		case "tool":
			return d.String(&it.Tool)
		case "arguments":
			return d.Raw(&it.Arguments)
		case "success":
			return d.Bool(&it.Success)
		case "changes":
			return jsonl.Slice(d, &it.Changes, func(c *fileChange) error { return c.decodeFrom(d) })
		}
		return d.Skip()
	})
}

func (c *fileChange) decodeFrom(d *jsonl.ParamsDecoder) error {
	return d.Object(c, fileChangeFields, func(field string) error {
		if field == "path" {
			return d.String(&c.Path)
		}
		return d.Skip()
	})
}
