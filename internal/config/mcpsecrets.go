package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/symphony-go/symphony/internal/secretscan"
)

// refuseLiteralMCPSecrets reports env and header entries of a declared MCP server that hold a
// secret written out in symphony.yml: a value under a credential-like name (API_KEY, TOKEN,
// Authorization, ...) or one the secret scanner recognises. Such values must be a whole-value
// $NAME reference, so the file can be shared and committed without the secret. It runs on the
// values as written, before $NAME references are resolved.
func (l *loader) refuseLiteralMCPSecrets(server string, s MCPServer) {
	scanner := secretscan.New()
	check := func(field string, m map[string]string) {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			v := m[k]
			if _, ref := envName(v); ref || strings.TrimSpace(v) == "" {
				continue
			}
			if secretscan.IsCredentialName(k) || isCredentialHeader(k) || len(scanner.Find(v)) > 0 {
				l.bad(fmt.Sprintf("agent.mcp.servers.%s.%s.%s", server, field, k),
					fmt.Sprintf("holds a literal secret; write it as a whole-value environment reference such as $%s and set that variable for Symphony", envVarFor(k)))
			}
		}
	}
	check("env", s.Env)
	check("headers", s.Headers)
}

// isCredentialHeader reports HTTP headers that carry credentials under names
// IsCredentialName does not match.
func isCredentialHeader(name string) bool {
	switch strings.ToLower(name) {
	case "authorization", "proxy-authorization", "cookie":
		return true
	}
	return false
}

// envVarFor suggests an environment variable name for a key: upper case, with characters a
// variable name cannot hold turned into underscores.
func envVarFor(key string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
			return r
		}
		return '_'
	}, key)
}
