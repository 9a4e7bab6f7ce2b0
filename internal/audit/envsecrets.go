package audit

import (
	"sort"
	"strings"
)

// credentialWords are name parts that mark an environment variable as holding a credential.
var credentialWords = map[string]bool{
	"KEY": true, "APIKEY": true, "TOKEN": true, "SECRET": true, "PASSWORD": true, "PASSWD": true,
	"CREDENTIAL": true, "CREDENTIALS": true, "WEBHOOK": true, "AUTH": true, "PAT": true,
}

// SecretEnvValues returns the values of environment entries ("NAME=value", as os.Environ
// gives them) whose names look like credentials: LINEAR_API_KEY, GH_TOKEN, SLACK_WEBHOOK_URL,
// DB_PASSWORD and the like. Pass them to the redactor as literals, next to the configured
// secrets, so a credential with no recognizable shape is still scrubbed.
func SecretEnvValues(environ []string) []string {
	var out []string
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(value) == "" || !credentialName(name) {
			continue
		}
		out = append(out, value)
	}
	sort.Strings(out)
	return out
}

func credentialName(name string) bool {
	for _, part := range strings.FieldsFunc(strings.ToUpper(name), func(r rune) bool { return r == '_' || r == '-' || r == '.' }) {
		if credentialWords[part] {
			return true
		}
	}
	return false
}
