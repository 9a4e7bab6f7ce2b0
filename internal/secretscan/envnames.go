package secretscan

import (
	"slices"
	"strings"
)

// credentialWords are name parts that mark an environment variable as holding a credential.
var credentialWords = map[string]bool{
	"KEY": true, "APIKEY": true, "TOKEN": true, "SECRET": true, "PASSWORD": true, "PASSWD": true,
	"CREDENTIAL": true, "CREDENTIALS": true, "WEBHOOK": true, "AUTH": true, "PAT": true,
}

// IsCredentialName reports whether an environment variable name looks like it holds a
// credential (GH_TOKEN, LINEAR_API_KEY, SLACK_WEBHOOK_URL, DB_PASSWORD, ...): such values are
// scrubbed from everything Symphony writes and kept out of hook scripts. A name ending in
// _SOCK names a socket, not a secret (SSH_AUTH_SOCK must reach git over ssh).
func IsCredentialName(name string) bool {
	upper := strings.ToUpper(name)
	if strings.HasSuffix(upper, "_SOCK") {
		return false
	}
	for _, part := range strings.FieldsFunc(upper, func(r rune) bool { return r == '_' || r == '-' || r == '.' }) {
		if credentialWords[part] {
			return true
		}
	}
	return false
}

// CredentialWords returns the name parts IsCredentialName looks for, sorted, for rules that
// must match the same names in another syntax (such as Codex's exclude globs).
func CredentialWords() []string {
	words := make([]string, 0, len(credentialWords))
	for w := range credentialWords {
		words = append(words, w)
	}
	slices.Sort(words)
	return words
}
