package prompt

import (
	"os"
	"strings"
	"testing"
)

func BenchmarkFullReferenceWorkflow(b *testing.B) {
	path := "../../../shared/reference/automattic-symphony/WORKFLOW.md"
	data, err := os.ReadFile(path)
	if err != nil {
		b.Skipf("%s not present: %v", path, err)
	}
	t := &testing.T{}
	body, line := workflowBody(t, string(data))
	req := fullRequest(t, body)
	req.Template.Line = line
	builder := NewBuilder(Options{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := builder.Full(req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWrapCILog1MiB(b *testing.B) {
	log := strings.Repeat("2026-01-05T09:30:00Z step 4/9: go test ./... ok  \x1b[32mPASS\x1b[0m\n", 1<<20/64)
	b.SetBytes(int64(len(log)))
	b.ReportAllocs()
	for b.Loop() {
		Wrap(FieldCILogExcerpt, log)
	}
}
