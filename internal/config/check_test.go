package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/symphony-go/symphony/internal/yamlschema"
)

// Check keeps loading every repository's WORKFLOW.md when symphony.yml has problems, so one
// pass reports the problems of every file, and hands back what did load.
func TestCheckReportsEveryFileAndReturnsWhatLoaded(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"symphony.yml": "issues: {provider: memory}\nrepositories:\n  - {key: good, workflow: good.md, default: true}\n  - {key: bad, workflow: bad.md, route: {labels: [x]}}\n  - {key: blank, workflow: '', route: {labels: [y]}}\nagent: {runtime: codex, command: codex app-server, limts: {}}\n",
		"good.md":      "Work on {{ issue.identifier }}.\n",
		"bad.md":       "---\nhooks: {befor_run: make}\n---\nbody\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := Check(filepath.Join(dir, "symphony.yml"), mapEnv(nil))
	var problems yamlschema.Errors
	if !errors.As(err, &problems) || cfg == nil {
		t.Fatalf("Check = %v, %v; want a partial config and problems", cfg, err)
	}
	want := map[string]bool{"agent.limts": false, "hooks.befor_run": false, "repositories[2].workflow": false}
	for _, p := range problems {
		if _, ok := want[p.Path]; ok {
			want[p.Path] = true
		}
	}
	for path, seen := range want {
		if !seen {
			t.Errorf("no problem at %s in %v", path, problems)
		}
	}
	if cfg.Repositories[0].Loaded == nil || cfg.Repositories[1].Loaded != nil {
		t.Fatalf("loaded workflows: good %v, bad %v", cfg.Repositories[0].Loaded != nil, cfg.Repositories[1].Loaded != nil)
	}
	if _, err := Load(filepath.Join(dir, "symphony.yml")); err == nil {
		t.Fatal("Load accepted a configuration Check found problems in")
	}
}
