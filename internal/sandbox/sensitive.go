package sandbox

import (
	"path"
	"slices"
	"strings"
)

// credentialBasenames are file names that hold secrets wherever they appear.
var credentialBasenames = []string{
	".netrc", ".git-credentials", ".npmrc", ".pypirc", ".pgpass", ".dockercfg",
	"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk",
	".bash_history", ".zsh_history", ".history", ".python_history", ".node_repl_history",
	".psql_history", ".mysql_history",
}

// IsSensitivePath reports whether p names something an agent must not read or leak: an entry
// of the shared read-deny list (under home or under any other home directory), a Codex
// runtime credential or config file, a credential file name, a dotenv file (".env*"), or a
// key or certificate file ("*.pem", "*.key"). p may be absolute, "~"-relative or relative; a
// trailing ":" (as in "file:line" tokens) is ignored. Tools and the audit log share this.
func IsSensitivePath(p, home string) bool {
	p = strings.TrimSuffix(strings.TrimSpace(p), ":")
	if p == "" {
		return false
	}
	base := path.Base(p)
	lower := strings.ToLower(base)
	if strings.HasPrefix(base, ".env") || strings.HasSuffix(lower, ".pem") || strings.HasSuffix(lower, ".key") ||
		slices.Contains(credentialBasenames, base) {
		return true
	}
	if p == "~" || strings.HasPrefix(p, "~/") {
		p = expandHome(p, home)
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	p = path.Clean(p)
	for _, entry := range sensitiveEntries() {
		if strings.HasPrefix(entry, "~/") {
			if within(p, expandHome(entry, home)) || containsSegments(p, entry[1:]) {
				return true
			}
			continue
		}
		if within(p, entry) {
			return true
		}
	}
	return false
}

// FirstSensitiveArg returns the first command argument that names a sensitive path, looking
// inside "--flag=value" arguments too.
func FirstSensitiveArg(args []string, home string) (string, bool) {
	for _, a := range args {
		candidate := a
		if strings.HasPrefix(a, "-") {
			_, v, ok := strings.Cut(a, "=")
			if !ok {
				continue
			}
			candidate = v
		}
		if IsSensitivePath(candidate, home) {
			return a, true
		}
	}
	return "", false
}

func sensitiveEntries() []string {
	out := slices.Clone(sharedDenyRead)
	for _, f := range codexRuntimeFiles {
		out = append(out, operatorCodexHome+"/"+f)
	}
	return out
}

// containsSegments reports whether p contains suffix ("/.ssh", "/.config/gh") as whole path
// segments, so another user's ~/.ssh is caught without knowing their home.
func containsSegments(p, suffix string) bool {
	return strings.HasSuffix(p, suffix) || strings.Contains(p+"/", suffix+"/")
}
