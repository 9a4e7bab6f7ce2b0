package issue

import (
	"testing"
)

// StateIn matches states exactly as comparing their normal forms does, without allocating for
// the ASCII states trackers use.
func TestStateInMatchesNormalForms(t *testing.T) {
	states := []string{"Todo", "todo", " In Progress ", "in progress", "IN PROGRESS", "In  Progress", "Done", "",
		"ſtate", "state", "État", "état", "\u212Aey", "key", "Σ", "σ", "ς"}
	for _, a := range states {
		for _, b := range states {
			want := NormalizeState(a) == NormalizeState(b)
			if got := StateIn(a, []string{"Other", b}); got != want {
				t.Errorf("StateIn(%q, [%q]) = %v, normal forms say %v", a, b, got, want)
			}
		}
	}
	active := []string{"Todo", "In Progress", "Rework"}
	if allocs := testing.AllocsPerRun(100, func() { StateIn("in progress", active) }); allocs != 0 {
		t.Fatalf("StateIn allocated %.0f times for ASCII states", allocs)
	}
}
