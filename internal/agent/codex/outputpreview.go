package codex

import (
	"sync"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/symphony-go/symphony/internal/agent"
)

// outputPreview is a command's aggregatedOutput as the adapter keeps it: its first
// agent.ActivityOutputPreviewRunes runes (agent.OutputPreview). A command's output can run to
// megabytes, so the string is unquoted into a reused buffer and only the preview becomes a
// string of its own, instead of a copy of the whole output for every command.
type outputPreview string

// unquoteBuffers hold unquoted outputs between decoding and cutting; a buffer grown past
// maxKeptUnquoteBuffer by an unusually long output is not kept.
var unquoteBuffers = sync.Pool{New: func() any { return new([]byte) }}

const maxKeptUnquoteBuffer = 1 << 20

// UnmarshalJSONFrom reads a JSON string as its preview. Anything else (null, a value of
// another type) is decoded as a plain string is, so nulls and type errors behave as before.
func (p *outputPreview) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() != '"' {
		return jsonv2.UnmarshalDecode(dec, (*string)(p))
	}
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	buf := unquoteBuffers.Get().(*[]byte)
	defer func() {
		if cap(*buf) <= maxKeptUnquoteBuffer {
			unquoteBuffers.Put(buf)
		}
	}()
	// Invalid UTF-8 is replaced by U+FFFD and reported at the end, which is how the decoder
	// reads any string with encoding/json's semantics; the error adds nothing.
	*buf, _ = jsontext.AppendUnquote((*buf)[:0], raw)
	*p = outputPreview(agent.OutputPreviewOf(*buf))
	return nil
}
