package tracker

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/symphony-go/symphony/internal/config"
)

func TestSettingsFromConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "WORKFLOW.md"), []byte("body"), 0o644); err != nil {
		t.Fatal(err)
	}
	yml := `issues:
  provider: linear
  linear: {api_key: k, assignee: me, scope: {project_slug: proj, labels: [a, b]}}
  states: {active: [Todo], terminal: [Done]}
repositories:
  - {key: web, route: {team: ENG, labels: [web]}}
  - {key: rest, default: true}
agent: {runtime: codex, command: codex app-server}
`
	cfg, err := config.Parse(filepath.Join(dir, "symphony.yml"), []byte(yml), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	got := SettingsFromConfig(cfg)
	want := Settings{
		Scope:        Scope{ProjectSlug: "proj", Labels: []string{"a", "b"}, Assignee: "me"},
		ActiveStates: []string{"Todo"}, TerminalStates: []string{"Done"},
		Routes: []Route{{Key: "web", Team: "ENG", Labels: []string{"web"}}, {Key: "rest", Default: true}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}
