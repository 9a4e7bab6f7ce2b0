package lineartest

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/symphony-go/symphony/internal/testenv"
)

// SchemaPath is where Linear's published schema sits, relative to the module root: the shared
// fixtures directory beside the checkout. The project never copies it into its own tree.
const SchemaPath = "../shared/fixtures/linear/schema.graphql"

var (
	schemaOnce   sync.Once
	schemaParsed *ast.Schema
	schemaErr    error
	schemaFile   string
)

// Schema loads Linear's schema once per test binary. When the file is absent the test is
// skipped with a message, except under CI=true where a missing schema is a failure.
func Schema(t testing.TB) *ast.Schema {
	t.Helper()
	schemaOnce.Do(func() {
		schemaFile = filepath.Join(testenv.ModuleRoot(t), SchemaPath)
		data, err := os.ReadFile(schemaFile)
		if err != nil {
			schemaErr = err
			return
		}
		schemaParsed, schemaErr = gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: string(data)})
	})
	switch {
	case schemaErr == nil:
		return schemaParsed
	case os.IsNotExist(schemaErr) && !testenv.InCI():
		t.Skipf("Linear schema not found at %s (expected beside the checkout); skipping outside CI", schemaFile)
	default:
		t.Fatalf("load Linear schema %s: %v", schemaFile, schemaErr)
	}
	return nil
}

// Validate parses doc and checks it against schema with the standard GraphQL validation rules.
func Validate(schema *ast.Schema, doc string) (*ast.QueryDocument, gqlerror.List) {
	return gqlparser.LoadQueryWithRules(schema, doc, rules.NewDefaultRules())
}
