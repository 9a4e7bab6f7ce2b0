package sandbox

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/symphony-go/symphony/internal/secretscan"
)

// agentBaseVars are the variables an agent inherits from Symphony's environment whatever the
// configuration: what shells, compilers and TLS clients need to work, and nothing that names
// a credential. LC_* is matched as a prefix.
var agentBaseVars = []string{
	"PATH", "HOME", "USER", "LOGNAME", "LANG", "TERM", "SHELL", "TZ", "SSL_CERT_FILE", "SSL_CERT_DIR",
}

// AgentSessionVars are set by the agent session itself to its private directories, never
// copied from Symphony's environment.
var AgentSessionVars = []string{"CODEX_HOME", "TMPDIR"}

// AgentEnvSpec says what an agent's environment is built from.
type AgentEnvSpec struct {
	// Environ is Symphony's own environment, "KEY=value".
	Environ []string
	// ProviderKey names the variable holding the API key of the model provider the agent
	// runtime is configured for, "" when it needs none. Its value reaches the agent process:
	// the runtime cannot call its model without it, so only the sandbox's read rules keep it
	// from the agent's commands.
	ProviderKey string
	// Passthrough are the operator's agent.env_passthrough names.
	Passthrough []string
}

// PassthroughProblem says why name cannot be passed through to the agent, or "" when it can.
// Credential-named variables are refused: an agent's commands print their environment into
// the model's context and the session's rollout files.
func PassthroughProblem(name string) string {
	switch {
	case name == "" || strings.ContainsAny(name, "= \t\n\x00"):
		return fmt.Sprintf("%q is not an environment variable name", name)
	case slices.Contains(AgentSessionVars, name):
		return fmt.Sprintf("%s is set by the agent session to its private directory and cannot be passed through", name)
	case secretscan.IsCredentialName(name):
		return fmt.Sprintf("%s looks like a credential (its name contains a word such as KEY, TOKEN, SECRET or PASSWORD); credentials are never passed to agents", name)
	}
	return ""
}

// AgentEnv returns the agent's environment: the base variables, the provider key and the
// passed-through names, each only when Symphony's environment sets it. Every other variable is
// dropped, and AgentSessionVars are left for the session to set.
func AgentEnv(spec AgentEnvSpec) ([]string, error) {
	for _, name := range spec.Passthrough {
		if p := PassthroughProblem(name); p != "" {
			return nil, fmt.Errorf("agent.env_passthrough: %s", p)
		}
	}
	var env []string
	for _, kv := range spec.Environ {
		name, _, ok := strings.Cut(kv, "=")
		if ok && spec.allows(name) {
			env = append(env, kv)
		}
	}
	return env, nil
}

func (spec AgentEnvSpec) allows(name string) bool {
	switch {
	case slices.Contains(AgentSessionVars, name):
		return false
	case slices.Contains(agentBaseVars, name), strings.HasPrefix(name, "LC_"):
		return true
	case spec.ProviderKey != "" && name == spec.ProviderKey:
		return true
	}
	return slices.Contains(spec.Passthrough, name)
}

// AgentEnvNames returns the sorted names of the agent's environment, the session's own
// variables included; values are never returned, so the list is safe to print.
func AgentEnvNames(spec AgentEnvSpec) ([]string, error) {
	env, err := AgentEnv(spec)
	if err != nil {
		return nil, err
	}
	names := slices.Clone(AgentSessionVars)
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		names = append(names, name)
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// ExplainAgentEnv writes what the agent's environment contains, by name only, and which of
// those names carries the model provider's key.
func ExplainAgentEnv(w io.Writer, spec AgentEnvSpec) error {
	names, err := AgentEnvNames(spec)
	if err != nil {
		return err
	}
	e := &textWriter{w: w}
	e.section("Agent environment — names only; every other variable of Symphony's environment is dropped", names)
	if spec.ProviderKey != "" && slices.Contains(names, spec.ProviderKey) {
		e.line("Note: %s is the model provider's key; Codex needs it to call the model, so it reaches the agent process, and only the sandbox's read rules keep agent commands from it.", spec.ProviderKey)
	}
	return e.err
}

// CodexShellEnvExclude is a Codex `--config` override that drops credential-named variables
// from the environment of the commands Codex runs. Codex itself needs the provider key, and
// an outer srt adds proxy credentials to the environment it starts Codex with; neither
// belongs in an agent command's `env`. Each credential word is matched as a whole part of an
// underscore-separated name, the way secretscan.IsCredentialName reads names, so PATH is not
// taken for PAT. The credential words are fixed, so it is rendered once, not per session.
func CodexShellEnvExclude() string { return codexShellEnvExclude() }

var codexShellEnvExclude = sync.OnceValue(func() string {
	var globs []string
	for _, w := range secretscan.CredentialWords() {
		for _, g := range []string{w, w + "_*", "*_" + w, "*_" + w + "_*"} {
			globs = append(globs, tomlString(g))
		}
	}
	return "shell_environment_policy.exclude=[" + strings.Join(globs, ",") + "]"
})
