package doctor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckCredentials(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	login := write("login.json", `{"auth_mode":"apikey","OPENAI_API_KEY":"sk-test"}`)
	empty := write("empty.json", `{}`)
	broken := write("broken.json", `{"auth_mode":`)
	absent := filepath.Join(dir, "absent.json")
	const mock = `codex --config 'model_providers.mock={name="Mock",env_key="MOCK_API_KEY"}' --config model_provider=mock app-server`

	tests := []struct {
		name, command, authFile string
		env                     map[string]string
		status                  Status
		detail, fix             string
	}{
		{name: "codex login", command: "codex app-server", authFile: login, status: StatusOK, detail: "Codex login found in " + login},
		{name: "OPENAI_API_KEY without login", command: "codex app-server", authFile: absent, env: map[string]string{"OPENAI_API_KEY": "sk"}, status: StatusOK, detail: "OPENAI_API_KEY is set"},
		{name: "CODEX_API_KEY without login", command: "codex app-server", authFile: absent, env: map[string]string{"CODEX_API_KEY": "sk"}, status: StatusOK, detail: "CODEX_API_KEY is set"},
		{name: "nothing", command: "codex app-server", authFile: absent, env: map[string]string{"OPENAI_API_KEY": ""}, status: StatusFail,
			detail: "no Codex login (" + absent + " does not exist)", fix: "run `codex login`"},
		{name: "empty login", command: "codex app-server", authFile: empty, status: StatusFail, detail: "holds no credentials", fix: "run `codex login` again"},
		{name: "broken login", command: "codex app-server", authFile: broken, status: StatusFail, detail: "not a JSON object", fix: "export OPENAI_API_KEY=..."},
		{name: "broken login but a key", command: "codex app-server", authFile: broken, env: map[string]string{"OPENAI_API_KEY": "sk"}, status: StatusOK},
		{name: "custom provider key set", command: mock, authFile: absent, env: map[string]string{"MOCK_API_KEY": "x"}, status: StatusOK, detail: `MOCK_API_KEY is set for model provider "mock"`},
		{name: "custom provider key missing despite a login", command: mock, authFile: login, status: StatusFail,
			detail: "MOCK_API_KEY is not set", fix: "export MOCK_API_KEY=..."},
		{name: "custom provider without env_key", command: "codex -c model_provider=ollama app-server", authFile: absent, status: StatusWarn, detail: "cannot be checked"},
		{name: "unbalanced quote", command: "codex 'app-server", authFile: login, status: StatusFail, detail: "unterminated single quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			got := checkCredentials(tt.command, tt.authFile, lookup)
			if got.Status != tt.status || !strings.Contains(got.Detail, tt.detail) || !strings.Contains(got.Fix, tt.fix) {
				t.Fatalf("got %+v\nwant status %s, detail containing %q, fix containing %q", got, tt.status, tt.detail, tt.fix)
			}
			if got.Status == StatusFail && got.Fix == "" {
				t.Fatalf("a failure without a fix: %+v", got)
			}
		})
	}
}

// TestCredentialsFollowCodexHome checks the login is looked for where `codex login` writes
// it: $CODEX_HOME/auth.json, else ~/.codex/auth.json.
func TestCredentialsFollowCodexHome(t *testing.T) {
	home := t.TempDir()
	codexHome := t.TempDir()
	os.WriteFile(filepath.Join(codexHome, "auth.json"), []byte(`{"tokens":{}}`), 0o600)
	t.Setenv("HOME", home)
	for _, name := range codexKeyVariables {
		t.Setenv(name, "")
	}
	credentials := func() Result {
		opts := Options{AgentCommand: "codex app-server"}
		for _, c := range Checks(opts) {
			if c.Name == "agent-credentials" {
				return c.Run(context.Background())
			}
		}
		t.Fatal("no agent-credentials check")
		return Result{}
	}
	t.Setenv("CODEX_HOME", codexHome)
	if got := credentials(); got.Status != StatusOK || !strings.Contains(got.Detail, codexHome) {
		t.Fatalf("with CODEX_HOME: %+v", got)
	}
	t.Setenv("CODEX_HOME", "")
	if got := credentials(); got.Status != StatusFail || !strings.Contains(got.Detail, filepath.Join(home, ".codex", "auth.json")) {
		t.Fatalf("without CODEX_HOME: %+v", got)
	}
}
