package config

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/yamlschema"
	"github.com/symphony-go/symphony/internal/yamlschema/yamlschematest"
)

// goodAgent is a valid symphony.yml whose agent section is a block, so hostile values can be
// appended inside agent.permissions.filesystem (lines 1-7).
const goodAgent = "issues: {provider: memory}\nrepositories: [{key: app}]\nagent:\n  runtime: codex\n  command: codex app-server\n  permissions:\n    filesystem:\n"

func TestHostileFilesAreRefusedCheaplyWithTheirLine(t *testing.T) {
	cases := []struct {
		name, symphony, workflow string
		code                     string
		inWorkflow               bool
		line                     int
	}{
		{name: "alias bomb in turn_policy", symphony: goodAgent + yamlschematest.AliasBomb("turn_policy", 6), code: yamlschema.CodeAliasBomb, line: 13},
		{name: "flow sequences 30 000 deep", symphony: minimal + "x: " + yamlschematest.FlowSequences(30000) + "\n", code: yamlschema.CodeTooDeep, line: 4},
		{name: "flow mappings 30 000 deep", symphony: minimal + "x: " + yamlschematest.FlowMappings(30000) + "\n", code: yamlschema.CodeTooDeep, line: 4},
		{name: "block sequences 30 000 deep", symphony: minimal + "x:\n  " + yamlschematest.BlockSequences(30000) + "\n", code: yamlschema.CodeTooDeep, line: 5},
		{name: "flow sequences 100 000 deep", symphony: minimal + "x: " + yamlschematest.FlowSequences(100000) + "\n", code: yamlschema.CodeTooLarge, line: 1},
		{name: "oversized", symphony: minimal + "# " + strings.Repeat("padding ", yamlschema.MaxBytes/8) + "\n", code: yamlschema.CodeTooLarge, line: 1},
		{name: "alias bomb in WORKFLOW.md front matter", symphony: minimal, workflow: "---\n" + yamlschematest.AliasBomb("verification", 0) + "---\nbody\n",
			code: yamlschema.CodeAliasBomb, inWorkflow: true, line: 7},
		{name: "flow sequences 30 000 deep in WORKFLOW.md", symphony: minimal, workflow: "---\nhooks: {}\nx: " + yamlschematest.FlowSequences(30000) + "\n---\nbody\n",
			code: yamlschema.CodeTooDeep, inWorkflow: true, line: 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cfgPath, wfPath := filepath.Join(dir, "symphony.yml"), filepath.Join(dir, "WORKFLOW.md")
			writeFile(t, cfgPath, c.symphony)
			writeFile(t, wfPath, "body\n")
			if c.workflow != "" {
				writeFile(t, wfPath, c.workflow)
			}
			var err error
			yamlschematest.Cheap(t, func() { _, err = LoadWithEnv(cfgPath, mapEnv(nil)) })
			var errs yamlschema.Errors
			if !errors.As(err, &errs) || len(errs) != 1 {
				t.Fatalf("got %v", err)
			}
			file := cfgPath
			if c.inWorkflow {
				file = wfPath
			}
			if got := errs[0]; got.Code != c.code || got.File != file || got.Line != c.line {
				t.Fatalf("got %s, want %s at %s:%d", got, c.code, file, c.line)
			}
		})
	}
}

func TestStoreKeepsLastGoodConfigThroughHostileReloads(t *testing.T) {
	dir := t.TempDir()
	cfgPath, wfPath := filepath.Join(dir, "symphony.yml"), filepath.Join(dir, "WORKFLOW.md")
	writeFile(t, cfgPath, storeSymphony)
	writeFile(t, wfPath, "---\nhooks:\n  before_run: echo good\n---\nbody\n")
	s := newStore(t, cfgPath)
	good := s.Current()

	steps := []struct {
		name   string
		edit   func()
		inCode string
	}{
		{"alias bomb in symphony.yml", func() { writeFile(t, cfgPath, goodAgent+yamlschematest.AliasBomb("turn_policy", 6)) }, yamlschema.CodeAliasBomb},
		{"deep nesting in WORKFLOW.md", func() {
			writeFile(t, cfgPath, storeSymphony)
			writeFile(t, wfPath, "---\nhooks: "+yamlschematest.FlowMappings(30000)+"\n---\nbody\n")
		}, yamlschema.CodeTooDeep},
		{"a panic while loading", func() {
			writeFile(t, wfPath, "---\nhooks:\n  before_run: echo edited\n---\nbody\n")
			s.load = func(string, Env) (*Config, []string, error) { panic("decoder bug") }
		}, "decoder bug"},
	}
	for _, step := range steps {
		step.edit()
		if got := s.Revalidate(); got != good {
			t.Fatalf("%s: a new configuration was served", step.name)
		}
		if err := s.LastError(); err == nil || !strings.Contains(err.Error(), step.inCode) {
			t.Fatalf("%s: LastError = %v, want it to mention %s", step.name, err, step.inCode)
		}
	}

	s.load = loadFiles
	writeFile(t, wfPath, "---\nhooks:\n  before_run: echo fixed\n---\nbody\n")
	if got := s.Revalidate().Repositories[0].Settings.Hooks.BeforeRun; got != "echo fixed" || s.LastError() != nil {
		t.Fatalf("after the fix: hook %q, error %v", got, s.LastError())
	}
}

// The service's watcher, not only Revalidate, survives a bomb: the edit is reported and
// the last good configuration stays in force.
func TestWatchedReloadOfAnAliasBombKeepsServing(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "symphony.yml")
	writeFile(t, cfgPath, storeSymphony)
	writeFile(t, filepath.Join(dir, "WORKFLOW.md"), "body\n")
	s := newStore(t, cfgPath)
	good := s.Current()
	stop := runStore(t, s)
	defer stop()

	replaceFile(t, cfgPath, goodAgent+yamlschematest.AliasBomb("turn_policy", 6))
	waitFor(t, "reload error", func() bool { return s.LastError() != nil })
	if !strings.Contains(s.LastError().Error(), yamlschema.CodeAliasBomb) || s.Current() != good {
		t.Fatalf("error %v; good config kept: %v", s.LastError(), s.Current() == good)
	}
}

// runStore runs s's watcher until the returned stop is called, which reports Run's error.
func runStore(t *testing.T, s *Store) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	waitFor(t, "the watcher to start", func() bool {
		s.mu.RLock()
		defer s.mu.RUnlock()
		return len(s.watched) > 0
	})
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
