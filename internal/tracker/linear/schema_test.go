package linear

import (
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/tracker/linear/lineartest"
)

// TestDocumentsValidateAgainstSchema checks every query and mutation the client can send
// against Linear's published schema, and that each document's operation is the one it is
// filed under (the client sends that name as operationName).
func TestDocumentsValidateAgainstSchema(t *testing.T) {
	schema := lineartest.Schema(t)
	if len(documents) < 15 {
		t.Fatalf("documents lists %d operations; expected every query and mutation the client sends", len(documents))
	}
	for name, doc := range documents {
		t.Run(name, func(t *testing.T) {
			parsed, errs := lineartest.Validate(schema, doc)
			if len(errs) > 0 {
				t.Fatalf("%s does not validate against Linear's schema: %v", name, errs)
			}
			if len(parsed.Operations) != 1 || parsed.Operations[0].Name != name {
				t.Fatalf("%s: document defines operations %v; want exactly %q", name, parsed.Operations, name)
			}
		})
	}
}

func TestByIDRefreshUsesIDListType(t *testing.T) {
	if !strings.Contains(issuesByIDsQuery, "$ids: [ID!]") {
		t.Fatalf("by-id refresh must type its ids as [ID!] (SPEC §11.2):\n%s", issuesByIDsQuery)
	}
}
