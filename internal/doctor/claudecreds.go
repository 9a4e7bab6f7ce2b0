package doctor

import (
	"os"
	"path/filepath"
)

// claudeCredentialsFile is where Claude Code keeps its own login, "" without a home directory.
func claudeCredentialsFile() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".claude", ".credentials.json")
}

// checkClaudeCredentials passes when Claude Code can authenticate: ANTHROPIC_API_KEY, which
// the agent environment passes on, or Claude's own login file.
func checkClaudeCredentials(loginFile string, lookupEnv func(string) (string, bool)) Result {
	if v, found := lookupEnv("ANTHROPIC_API_KEY"); found && v != "" {
		return ok("ANTHROPIC_API_KEY is set")
	}
	if err := checkAuthFile(loginFile); err == nil {
		return ok("Claude Code login found in %s", loginFile)
	}
	return fail("run `claude` once and log in as the user Symphony runs as, or export ANTHROPIC_API_KEY=...",
		"no Claude Code login (%s) and ANTHROPIC_API_KEY is not set", loginFile)
}
