package prompt

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

func TestCatalogueMatchesEmbeddedPartials(t *testing.T) {
	files, err := fs.Glob(builtinFS, "partials/*.liquid")
	if err != nil {
		t.Fatal(err)
	}
	var embedded, listed []string
	for _, f := range files {
		embedded = append(embedded, strings.TrimSuffix(filepath.Base(f), ".liquid"))
	}
	for name := range generatedPartials {
		embedded = append(embedded, name)
	}
	for _, p := range Partials {
		listed = append(listed, p.Name)
	}
	sort.Strings(embedded)
	if strings.Join(embedded, ",") != strings.Join(listed, ",") {
		t.Fatalf("embedded partials %v, catalogue %v (keep them equal and sorted)", embedded, listed)
	}
}

func TestPlaybookDocListsTheCatalogue(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "playbook.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\| ([^|]+) \\| ([^|]+) \\|$")
	docRows := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(data), -1) {
		docRows[m[1]] = strings.TrimSpace(m[2]) + " | " + strings.TrimSpace(m[3])
	}
	if len(docRows) != len(Partials) {
		t.Errorf("docs/playbook.md lists %d partials, the catalogue has %d", len(docRows), len(Partials))
	}
	for _, p := range Partials {
		vars := "—"
		if len(p.Vars) > 0 {
			vars = "`" + strings.Join(p.Vars, "`, `") + "`"
		}
		if want := vars + " | " + p.Description; docRows[p.Name] != want {
			t.Errorf("docs/playbook.md row for %s is %q, want %q", p.Name, docRows[p.Name], want)
		}
	}
}
