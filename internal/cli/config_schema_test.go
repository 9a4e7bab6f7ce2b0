package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// compiledConfigSchema compiles what `symphony config schema` prints.
func compiledConfigSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	code, out, errOut := runCLI(t, "config", "schema")
	if code != ExitOK {
		t.Fatalf("config schema: exit %d: %s", code, errOut)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("config schema printed invalid JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("symphony.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("symphony.schema.json")
	if err != nil {
		t.Fatalf("config schema does not compile: %v", err)
	}
	return sch
}

// yamlInstance reads a YAML file as a JSON Schema instance.
func yamlInstance(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func TestConfigSchemaAcceptsShippedConfigs(t *testing.T) {
	sch := compiledConfigSchema(t)
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "examples", "*", "symphony*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example configs found (%v)", err)
	}
	// Both init templates, as init writes them.
	for _, args := range [][]string{{"init"}, {"init", "--local"}} {
		dir := t.TempDir()
		if code, _, errOut := runCLI(t, append(args, "--dir", dir)...); code != ExitOK {
			t.Fatalf("%q: %s", args, errOut)
		}
		files = append(files, filepath.Join(dir, "symphony.yml"))
	}
	ref := filepath.Join(repoRoot(t), "..", "shared", "reference", "automattic-symphony")
	if more, _ := filepath.Glob(filepath.Join(ref, "symphony*.yml")); len(more) > 0 {
		files = append(files, more...)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(yamlInstance(t, data)); err != nil {
			t.Errorf("%s does not validate against the schema: %v", f, err)
		}
	}
}

func TestConfigSchemaRejectsMistakes(t *testing.T) {
	sch := compiledConfigSchema(t)
	tests := []struct{ name, yaml, want string }{
		{"unknown top-level key", "issues: {provider: local}\nrepostories: []\n", "repostories"},
		{"unknown nested key", "agent: {limits: {max_turn: 3}}\n", "max_turn"},
		{"wrong type", "agent: {concurrency: {max_total: many}}\n", "max_total"},
		{"removed spelling", "tracker: {kind: linear}\n", "tracker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := sch.Validate(yamlInstance(t, []byte(tt.yaml)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want an error naming %q", err, tt.want)
			}
		})
	}
}

func TestConfigSchemaCarriesDescriptions(t *testing.T) {
	_, out, _ := runCLI(t, "config", "schema")
	var s struct {
		Schema     string `json:"$schema"`
		Properties map[string]struct {
			Description string `json:"description"`
		} `json:"properties"`
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if s.Schema != "https://json-schema.org/draft/2020-12/schema" {
		t.Fatalf("$schema = %q", s.Schema)
	}
	if d := s.Properties["issues"].Description; !strings.Contains(d, "tracker") {
		t.Fatalf("issues description = %q, want the doc comment of the Issues type", d)
	}
}
