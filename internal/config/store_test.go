package config

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replaceFile writes text the way editors do: a temp file renamed over the original.
func replaceFile(t *testing.T, path, text string) {
	t.Helper()
	tmp := path + ".tmp"
	writeFile(t, tmp, text)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

const storeSymphony = "issues: {provider: memory}\nrepositories: [{key: app}]\nagent: {runtime: codex, command: codex app-server}\n"

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// newStore loads cfgPath and serves it from a Store.
func newStore(t *testing.T, cfgPath string) *Store {
	t.Helper()
	cfg, err := LoadWithEnv(cfgPath, mapEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	return NewStore(cfg, mapEnv(nil), nil)
}

func TestStoreServesLastGoodConfigAcrossBadEdit(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "symphony.yml")
	wf := filepath.Join(dir, "WORKFLOW.md")
	writeFile(t, cfgPath, storeSymphony)
	writeFile(t, wf, "---\nhooks:\n  before_run: echo one\n---\nFirst {{ issue.identifier }}\n")

	s := newStore(t, cfgPath)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	hook := func() string { return s.Current().Repositories[0].Settings.Hooks.BeforeRun }
	if hook() != "echo one" {
		t.Fatalf("initial hook %q", hook())
	}
	// Give the watcher a moment to register before editing.
	time.Sleep(50 * time.Millisecond)

	replaceFile(t, wf, "---\nhooks:\n  before_runn: echo two\n---\nbody\n")
	waitFor(t, "reload error", func() bool { return s.LastError() != nil })
	if !strings.Contains(s.LastError().Error(), "hooks.before_runn: unknown key") {
		t.Fatalf("error = %v", s.LastError())
	}
	if hook() != "echo one" {
		t.Fatalf("bad edit replaced the config: hook %q", hook())
	}

	replaceFile(t, wf, "---\nhooks:\n  before_run: echo three\n---\nThird\n")
	waitFor(t, "fixed config", func() bool { return hook() == "echo three" })
	if s.LastError() != nil {
		t.Fatalf("error after fix: %v", s.LastError())
	}
	select {
	case <-s.Changed():
	case <-time.After(time.Second):
		t.Fatal("no change signal after a good reload")
	}
	if got := s.Current().Repositories[0].Loaded.PromptTemplate; got != "Third" {
		t.Fatalf("prompt = %q", got)
	}
}

func TestStoreRevalidateCatchesMissedEvents(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "symphony.yml")
	writeFile(t, cfgPath, storeSymphony)
	writeFile(t, filepath.Join(dir, "WORKFLOW.md"), "body\n")
	s := newStore(t, cfgPath)
	// No Run: the watcher never sees this edit, but Revalidate does.
	writeFile(t, cfgPath, strings.Replace(storeSymphony, "{key: app}", "{key: app}\n", 1)+"watchdog: {tick_interval_ms: 5}\n")
	if got := s.Revalidate().Watchdog.TickIntervalMs; got != 5 {
		t.Fatalf("tick = %d after revalidate", got)
	}
	writeFile(t, cfgPath, "issues: [\n")
	if got := s.Revalidate().Watchdog.TickIntervalMs; got != 5 {
		t.Fatalf("broken edit was served: tick %d", got)
	}
	if err := s.LastError(); err == nil || !strings.Contains(err.Error(), "symphony_parse_error") {
		t.Fatalf("LastError = %v", err)
	}
}

// A reload that fails because symphony.yml names a workflow that does not exist yet must be
// retried once that workflow appears, though the served configuration never named it.
func TestStoreRevalidateWatchesWorkflowsOfAFailedLoad(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "symphony.yml")
	writeFile(t, cfgPath, storeSymphony)
	writeFile(t, filepath.Join(dir, "WORKFLOW.md"), "body\n")
	s := newStore(t, cfgPath)

	writeFile(t, cfgPath, strings.Replace(storeSymphony, "[{key: app}]", "[{key: app, route: {labels: [app]}}, {key: web, workflow: web/WORKFLOW.md, default: true}]", 1))
	if got := len(s.Revalidate().Repositories); got != 1 {
		t.Fatalf("a configuration naming a missing workflow was served: %d repositories", got)
	}
	if err := s.LastError(); err == nil || !strings.Contains(err.Error(), "missing_workflow_file") {
		t.Fatalf("LastError = %v", err)
	}
	if err := os.Mkdir(filepath.Join(dir, "web"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "web", "WORKFLOW.md"), "web body\n")
	if got := len(s.Revalidate().Repositories); got != 2 {
		t.Fatalf("creating the missing workflow did not reload: %d repositories", got)
	}
	if err := s.LastError(); err != nil {
		t.Fatalf("LastError after the fix = %v", err)
	}
}
