package codex

import (
	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/jsonl"
)

// outputPreview is a command's aggregatedOutput as the adapter keeps it: its first
// agent.ActivityOutputPreviewRunes runes (agent.OutputPreview). A command's output can run to
// megabytes, so a long one is unquoted only as far as the preview needs (one rune more than
// the preview keeps, which says whether the output goes on), and only the preview becomes a
// string of its own.
type outputPreview string

// decodeFrom reads a JSON string as its preview. Anything else (null, a value of another
// type) is read as a plain string is, so nulls and type errors behave as for one.
func (p *outputPreview) decodeFrom(d *jsonl.ParamsDecoder) error {
	return d.UnquotedPrefix((*string)(p), agent.ActivityOutputPreviewRunes+1, agent.OutputPreviewOf)
}
