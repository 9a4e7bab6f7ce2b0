package doctor

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/symphony-go/symphony/internal/sandbox"
)

// codexKeyVariables are the environment variables Codex's built-in provider accepts a key
// from in place of a `codex login`.
var codexKeyVariables = []string{"OPENAI_API_KEY", "CODEX_API_KEY"}

// checkCredentials looks for credentials the configured model provider will accept: a custom
// provider's env_key variable, or for Codex's default provider a login file or key variable.
// authFile is where `codex login` keeps the login (empty when no home directory is known). It
// does not send anything anywhere; a key the provider refuses shows up at the first turn.
func checkCredentials(command, authFile string, lookupEnv func(string) (string, bool)) Result {
	if _, err := sandbox.ShellWords(command); err != nil {
		return fail("fix the quoting of agent.command", "agent.command %q: %v", command, err)
	}
	set := func(name string) bool { v, found := lookupEnv(name); return found && v != "" }
	if p := sandbox.CodexProviderOf("", nil, command); !p.UsesAuthFile {
		provider, envKey := p.Name, p.EnvKey
		switch {
		case envKey == "":
			return warn("", "agent.command selects model provider %q without an env_key, so its credentials cannot be checked", provider)
		case set(envKey):
			return ok("%s is set for model provider %q", envKey, provider)
		default:
			return fail(fmt.Sprintf("export %s=... in the environment Symphony starts from", envKey),
				"%s is not set; model provider %q reads its API key from it", envKey, provider)
		}
	}
	loginErr := checkAuthFile(authFile)
	if loginErr == nil {
		return ok("Codex login found in %s", authFile)
	}
	for _, name := range codexKeyVariables {
		if set(name) {
			return ok("%s is set", name)
		}
	}
	if errors.Is(loginErr, fs.ErrNotExist) {
		return fail("run `codex login` as the user Symphony runs as, or export OPENAI_API_KEY=...",
			"no Codex login (%s does not exist) and OPENAI_API_KEY is not set", authFile)
	}
	return fail("run `codex login` again, or export OPENAI_API_KEY=...", "Codex login in %s is unusable: %v", authFile, loginErr)
}

// checkAuthFile reports whether path holds a readable, non-empty JSON login.
func checkAuthFile(path string) error {
	if path == "" {
		return fmt.Errorf("no home directory to find ~/.codex/auth.json in: %w", fs.ErrNotExist)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var login map[string]any
	if err := json.Unmarshal(data, &login); err != nil {
		return fmt.Errorf("not a JSON object: %w", err)
	}
	if len(login) == 0 {
		return errors.New("it holds no credentials")
	}
	return nil
}
