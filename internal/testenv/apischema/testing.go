package apischema

import (
	"os"
	"strings"
	"testing"
)

// WantProblems fails t unless problems (what Check reported) are exactly one per want, each
// containing its want: a departure planted in an answer is caught, and nothing else is.
func WantProblems(t testing.TB, problems []string, want ...string) {
	t.Helper()
	got := strings.Join(problems, "\n")
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("problems:\n%s\nwant one containing %q", got, w)
		}
	}
	if len(problems) != len(want) {
		t.Errorf("%d problems, want %d:\n%s", len(problems), len(want), got)
	}
}

// DocNames fails t unless the document at path names each of names, so a doc's claim about
// which description a fake is checked against moves with the table.
func DocNames(t testing.TB, path string, names ...string) {
	t.Helper()
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if !strings.Contains(string(doc), name) {
			t.Errorf("%s does not name %q", path, name)
		}
	}
}

// WantExchangesDescribed fails t for every problem CheckExchanges finds in exchanges and for
// every operation of ops that never answered successfully, and so went unchecked.
func WantExchangesDescribed(t testing.TB, exchanges []Exchange, ops []Operation, undescribed []string, failure *Schema) {
	t.Helper()
	problems, answered := CheckExchanges(exchanges, ops, undescribed, failure)
	for _, p := range problems {
		t.Error(p)
	}
	for _, op := range ops {
		if !answered[op.Route()] {
			t.Errorf("%s (%s) never answered successfully, so it went unchecked", op.Route(), op.ID)
		}
	}
}
