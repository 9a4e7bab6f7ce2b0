package sandbox

import (
	"slices"
	"testing"
)

func TestShellWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		bad  bool
	}{
		{in: "codex app-server", want: []string{"codex", "app-server"}},
		{in: "  /opt/my\\ tools/codex\tapp-server ", want: []string{"/opt/my tools/codex", "app-server"}},
		{in: `'/opt/a b/codex' --config 'x={a="b"}'`, want: []string{"/opt/a b/codex", "--config", `x={a="b"}`}},
		{in: `codex -c "model=\"gpt\" \$HOME"`, want: []string{"codex", "-c", `model="gpt" $HOME`}},
		{in: `codex ''`, want: []string{"codex", ""}},
		{in: "", want: nil},
		{in: "codex 'open", bad: true},
		{in: `codex "open`, bad: true},
	}
	for _, tt := range tests {
		got, err := ShellWords(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("ShellWords(%q) = %q, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("ShellWords(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestProviderOfAgentCommand reads the model provider and its key variable from the
// --config arguments written into agent.command, as the agent factory and the doctor do.
func TestProviderOfAgentCommand(t *testing.T) {
	tests := []struct {
		command, provider, envKey string
	}{
		{"codex app-server", "openai", "OPENAI_API_KEY"},
		{"codex --config model_provider=openai app-server", "openai", "OPENAI_API_KEY"},
		// The form the end-to-end tests use: an inline provider table, then the selection.
		{`codex --config 'model_providers.mock={name="Mock",base_url="http://127.0.0.1:1/v1",env_key="MOCK_API_KEY"}' --config model_provider=mock app-server`, "mock", "MOCK_API_KEY"},
		{`codex -c model_providers.az.env_key='"AZURE_KEY"' -c 'model_provider="az"' app-server`, "az", "AZURE_KEY"},
		{`codex --config=model_provider=local app-server`, "local", ""},
		{`codex -c model_providers.other.env_key=OTHER -c model_provider=mine app-server`, "mine", ""},
		{`codex -c "model_provider=\"quoted\"" -c 'model_providers.quoted.env_key="A B"' app-server`, "quoted", "A B"},
	}
	for _, tt := range tests {
		p := CodexProviderOf("", nil, tt.command)
		if p.Name != tt.provider || p.EnvKey != tt.envKey {
			t.Errorf("provider of %s = %q, %q; want %q, %q", tt.command, p.Name, p.EnvKey, tt.provider, tt.envKey)
		}
	}
}
