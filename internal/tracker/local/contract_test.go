package local

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/trackertest"
)

func TestContract(t *testing.T) {
	trackertest.Run(t, trackertest.Fixture{
		Active: "Todo", Next: "In Review", Terminal: "Done", MissingID: "LOC-999",
		New: func(t *testing.T, seeds []trackertest.Seed) (tracker.Tracker, map[string]string) {
			dir := t.TempDir()
			ids := map[string]string{}
			for i, s := range seeds {
				id := "LOC-" + strconv.Itoa(i+1)
				front := "title: " + s.Title + "\nstate: " + s.State + "\n"
				if s.BlockedBy != "" {
					front += "blocked_by: [" + ids[s.BlockedBy] + "]\n"
				}
				if err := os.WriteFile(filepath.Join(dir, id+".md"), []byte("---\n"+front+"---\nBody.\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				ids[s.Title] = id
			}
			tr, err := New(Options{Dir: dir, Settings: tracker.Settings{ActiveStates: []string{"Todo"}, TerminalStates: []string{"Done"},
				Routes: []tracker.Route{{Key: "main", Default: true}}}})
			if err != nil {
				t.Fatal(err)
			}
			return tr, ids
		},
	})
}
