package doctor

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
		got, err := shellWords(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("shellWords(%q) = %q, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("shellWords(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestModelProvider(t *testing.T) {
	tests := []struct {
		command, provider, envKey string
	}{
		{"codex app-server", "", ""},
		{"codex --config model_provider=openai app-server", "openai", ""},
		// The form the end-to-end tests use: an inline provider table, then the selection.
		{`codex --config 'model_providers.mock={name="Mock",base_url="http://127.0.0.1:1/v1",env_key="MOCK_API_KEY"}' --config model_provider=mock app-server`, "mock", "MOCK_API_KEY"},
		{`codex -c model_providers.az.env_key='"AZURE_KEY"' -c 'model_provider="az"' app-server`, "az", "AZURE_KEY"},
		{`codex --config=model_provider=local app-server`, "local", ""},
		{`codex -c model_providers.other.env_key=OTHER -c model_provider=mine app-server`, "mine", ""},
	}
	for _, tt := range tests {
		words, err := shellWords(tt.command)
		if err != nil {
			t.Fatal(err)
		}
		provider, envKey := modelProvider(words)
		if provider != tt.provider || envKey != tt.envKey {
			t.Errorf("modelProvider(%s) = %q, %q; want %q, %q", tt.command, provider, envKey, tt.provider, tt.envKey)
		}
	}
}
