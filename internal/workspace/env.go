package workspace

import (
	"strings"

	"github.com/symphony-go/symphony/internal/secretscan"
)

// hookEnv returns base with credentials removed (secretscan.IsCredentialName) and vars set,
// later entries of vars winning over base. Variables in Symphony's own SYMPHONY_ namespace
// (SYMPHONY_REPO_KEY, ...) always reach the hook; any other var is filtered like base.
// Entries of base without "=" are dropped as malformed.
func hookEnv(base []string, vars [][2]string) []string {
	override := make(map[string]bool, len(vars))
	for _, kv := range vars {
		override[kv[0]] = true
	}
	out := make([]string, 0, len(base)+len(vars))
	for _, entry := range base {
		name, _, ok := strings.Cut(entry, "=")
		if !ok || secretscan.IsCredentialName(name) || override[name] {
			continue
		}
		out = append(out, entry)
	}
	for _, kv := range vars {
		if strings.HasPrefix(kv[0], "SYMPHONY_") || !secretscan.IsCredentialName(kv[0]) {
			out = append(out, kv[0]+"="+kv[1])
		}
	}
	return out
}
