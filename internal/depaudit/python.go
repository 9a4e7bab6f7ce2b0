package depaudit

import (
	"regexp"
	"strings"
)

// pep508Name matches the distribution name at the start of a PEP 508 requirement.
var pep508Name = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)`)

// normalizePyName applies PEP 503 normalization, so "Foo_Bar" and "foo-bar" are one package.
func normalizePyName(name string) string {
	name = strings.ToLower(name)
	return strings.NewReplacer("_", "-", ".", "-").Replace(name)
}

// pep508Source classifies a PEP 508 requirement ("name[extra]>=1; marker" or
// "name @ <url>"); index is where a plain requirement comes from. ok is false when the text
// names no package.
func pep508Source(dir, req string, index Source) (string, Source, bool) {
	req = strings.TrimSpace(req)
	m := pep508Name.FindString(req)
	if m == "" {
		return "", Source{}, false
	}
	name := normalizePyName(m)
	rest := strings.TrimSpace(req[len(m):])
	if strings.HasPrefix(rest, "[") {
		if end := strings.IndexByte(rest, ']'); end >= 0 {
			rest = strings.TrimSpace(rest[end+1:])
		}
	}
	if u, ok := strings.CutPrefix(rest, "@"); ok {
		u, _, _ = strings.Cut(strings.TrimSpace(u), ";")
		u = strings.TrimSpace(u)
		if i := strings.IndexByte(u, ' '); i >= 0 {
			u = u[:i]
		}
		return name, pyURLSource(dir, u), true
	}
	return name, index, true
}

// pyURLSource classifies a direct reference: git+<url>, file:<path>, or an archive URL.
func pyURLSource(dir, u string) Source {
	switch {
	case strings.HasPrefix(u, "git+") || strings.HasPrefix(u, "hg+") || strings.HasPrefix(u, "svn+") || strings.HasPrefix(u, "bzr+"):
		return gitSource(u)
	case strings.HasPrefix(u, "file:"):
		return pathSource(dir, u)
	}
	if src, ok := tarballSource(u, ""); ok {
		return src
	}
	return pathSource(dir, u)
}
