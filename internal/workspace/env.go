package workspace

import "strings"

// secretNames are credentials Symphony itself uses; hooks never need them.
var secretNames = map[string]bool{
	"LINEAR_API_KEY":    true,
	"OPENAI_API_KEY":    true,
	"ANTHROPIC_API_KEY": true,
	"GITHUB_TOKEN":      true,
	"GH_TOKEN":          true,
}

var secretSuffixes = []string{"_TOKEN", "_API_KEY", "_SECRET", "_PASSWORD"}

// IsSecretName reports whether an environment variable name looks like a credential that must not
// reach hook scripts.
func IsSecretName(name string) bool {
	upper := strings.ToUpper(name)
	if secretNames[upper] {
		return true
	}
	for _, suffix := range secretSuffixes {
		if strings.HasSuffix(upper, suffix) {
			return true
		}
	}
	return false
}

// hookEnv returns base with credentials removed and vars set, later entries of vars winning over
// base. Entries of base without "=" are dropped as malformed.
func hookEnv(base []string, vars [][2]string) []string {
	override := make(map[string]bool, len(vars))
	for _, kv := range vars {
		override[kv[0]] = true
	}
	out := make([]string, 0, len(base)+len(vars))
	for _, entry := range base {
		name, _, ok := strings.Cut(entry, "=")
		if !ok || IsSecretName(name) || override[name] {
			continue
		}
		out = append(out, entry)
	}
	for _, kv := range vars {
		if !IsSecretName(kv[0]) {
			out = append(out, kv[0]+"="+kv[1])
		}
	}
	return out
}
