package audit

import (
	"sort"
	"strings"

	"github.com/symphony-go/symphony/internal/secretscan"
)

// SecretEnvValues returns the values of environment entries ("NAME=value", as os.Environ
// gives them) whose names look like credentials: LINEAR_API_KEY, GH_TOKEN, SLACK_WEBHOOK_URL,
// DB_PASSWORD and the like. Pass them to the redactor as literals, next to the configured
// secrets, so a credential with no recognizable shape is still scrubbed.
func SecretEnvValues(environ []string) []string {
	var out []string
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(value) == "" || !secretscan.IsCredentialName(name) {
			continue
		}
		out = append(out, value)
	}
	sort.Strings(out)
	return out
}
