package sandbox

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestAgentEnvKeepsOnlyTheAllowlist(t *testing.T) {
	environ := []string{
		"PATH=/usr/bin", "HOME=/home/op", "LANG=C.UTF-8", "LC_ALL=C", "TERM=xterm",
		"TMPDIR=/tmp/operator", "CODEX_HOME=/home/op/.codex",
		"LINEAR_API_KEY=lin_planted", "GH_TOKEN=ghp_planted", "OPENAI_API_KEY=sk-planted",
		"FOO_PASSWORD=hunter2planted", "MOCK_API_KEY=mock-planted", "GOFLAGS=-mod=mod", "EDITOR=vi",
	}
	cases := []struct {
		name string
		spec AgentEnvSpec
		want []string
	}{
		{"no provider key, no pass-through", AgentEnvSpec{Environ: environ},
			[]string{"PATH=/usr/bin", "HOME=/home/op", "LANG=C.UTF-8", "LC_ALL=C", "TERM=xterm"}},
		{"the configured provider's key only", AgentEnvSpec{Environ: environ, ProviderKey: "MOCK_API_KEY"},
			[]string{"PATH=/usr/bin", "HOME=/home/op", "LANG=C.UTF-8", "LC_ALL=C", "TERM=xterm", "MOCK_API_KEY=mock-planted"}},
		{"pass-through names", AgentEnvSpec{Environ: environ, Passthrough: []string{"GOFLAGS", "UNSET_NAME"}},
			[]string{"PATH=/usr/bin", "HOME=/home/op", "LANG=C.UTF-8", "LC_ALL=C", "TERM=xterm", "GOFLAGS=-mod=mod"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AgentEnv(tc.spec)
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("AgentEnv = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestAgentEnvRefusesCredentialPassthrough(t *testing.T) {
	for _, name := range []string{"GH_TOKEN", "DB_PASSWORD", "CODEX_HOME", "A=B", ""} {
		if _, err := AgentEnv(AgentEnvSpec{Passthrough: []string{name}}); err == nil || !strings.Contains(err.Error(), "agent.env_passthrough") {
			t.Errorf("pass-through %q: err = %v, want a refusal naming agent.env_passthrough", name, err)
		}
	}
}

func TestAgentEnvNamesShowNoValues(t *testing.T) {
	spec := AgentEnvSpec{Environ: []string{"PATH=/secret/bin", "OPENAI_API_KEY=sk-planted", "GH_TOKEN=ghp_x"}, ProviderKey: "OPENAI_API_KEY"}
	names, err := AgentEnvNames(spec)
	want := []string{"CODEX_HOME", "OPENAI_API_KEY", "PATH", "TMPDIR"}
	if err != nil || !slices.Equal(names, want) {
		t.Fatalf("names = %q, %v; want %q", names, err, want)
	}
	var out bytes.Buffer
	if err := ExplainAgentEnv(&out, spec); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, leak := range []string{"sk-planted", "/secret/bin", "GH_TOKEN"} {
		if strings.Contains(text, leak) {
			t.Errorf("explanation shows %q:\n%s", leak, text)
		}
	}
	if !strings.Contains(text, "  OPENAI_API_KEY\n") || !strings.Contains(text, "OPENAI_API_KEY is the model provider's key") {
		t.Errorf("explanation does not list the provider key by name:\n%s", text)
	}
}

func TestCodexProviderOf(t *testing.T) {
	mock := "model = \"mock-model\"\nmodel_provider = \"mock\"\n\n[model_providers.mock]\nname = \"mock\"\nbase_url = \"http://127.0.0.1:1/v1\"\nenv_key = \"MOCK_API_KEY\" # the mock's key\n"
	cases := []struct {
		name      string
		toml      string
		overrides []string
		want      CodexProvider
	}{
		{"default", "", nil, CodexProvider{Name: "openai", EnvKey: "OPENAI_API_KEY", UsesAuthFile: true}},
		{"custom provider in config.toml", mock, nil, CodexProvider{Name: "mock", EnvKey: "MOCK_API_KEY"}},
		{"override selects openai", mock, []string{"model_provider=openai"}, CodexProvider{Name: "openai", EnvKey: "OPENAI_API_KEY", UsesAuthFile: true}},
		{"provider from overrides", "", []string{`model_provider="azure"`, `model_providers.azure.env_key="AZURE_OPENAI_API_KEY"`},
			CodexProvider{Name: "azure", EnvKey: "AZURE_OPENAI_API_KEY"}},
		{"provider as an inline table", "", []string{`model_providers.mock={name="Mock",base_url="http://x/v1",env_key="MOCK_API_KEY",headers={a="b, c"}}`, "model_provider=mock"},
			CodexProvider{Name: "mock", EnvKey: "MOCK_API_KEY"}},
		{"provider among the policy's overrides, with quoted keys", "", []string{`default_permissions="symphony"`,
			`permissions.symphony.filesystem={"/"="read","~/.ssh"="none"}`, `"model_provider"="az"`, `model_providers={az={env_key="AZ_KEY"}}`},
			CodexProvider{Name: "az", EnvKey: "AZ_KEY"}},
		{"keys that only start like the provider's", "", []string{`model_provider_hint="az"`, `model_providersx.az.env_key="AZ_KEY"`},
			CodexProvider{Name: "openai", EnvKey: "OPENAI_API_KEY", UsesAuthFile: true}},
		{"custom provider on ChatGPT auth", "model_provider = 'proxy'\n[model_providers.\"proxy\"]\nrequires_openai_auth = true\n", nil,
			CodexProvider{Name: "proxy", UsesAuthFile: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := CodexProviderOf(tc.toml, tc.overrides, ""); got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCommandConfigOverrides(t *testing.T) {
	got := CommandConfigOverrides(`codex -c model_provider=azure --config 'model_providers.azure.env_key="AZ_KEY"' --config=model=o3 app-server`)
	want := []string{"model_provider=azure", `model_providers.azure.env_key="AZ_KEY"`, "model=o3"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if p := CodexProviderOf("", got, ""); p.EnvKey != "AZ_KEY" {
		t.Fatalf("provider = %+v, want env key AZ_KEY", p)
	}
}
