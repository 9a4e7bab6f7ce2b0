package doctor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestClaudeCredentials(t *testing.T) {
	dir := t.TempDir()
	login := filepath.Join(dir, ".credentials.json")
	if err := os.WriteFile(login, []byte(`{"claudeAiOauth":{}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(vars map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	}
	cases := []struct {
		name   string
		file   string
		vars   map[string]string
		status Status
		detail string
	}{
		{"api key", filepath.Join(dir, "missing"), map[string]string{"ANTHROPIC_API_KEY": "k"}, StatusOK, "ANTHROPIC_API_KEY is set"},
		{"login file", login, nil, StatusOK, "login found"},
		{"empty key and no login", filepath.Join(dir, "missing"), map[string]string{"ANTHROPIC_API_KEY": ""}, StatusFail, "no Claude Code login"},
		{"codex credentials do not count", filepath.Join(dir, "missing"), map[string]string{"OPENAI_API_KEY": "k"}, StatusFail, "ANTHROPIC_API_KEY is not set"},
	}
	for _, c := range cases {
		r := checkClaudeCredentials(c.file, env(c.vars))
		if r.Status != c.status || !strings.Contains(r.Detail, c.detail) {
			t.Errorf("%s: %+v, want %s with %q", c.name, r, c.status, c.detail)
		}
	}
}
