package depaudit

import (
	"path"
	"strings"

	"github.com/symphony-go/symphony/internal/config"
)

// Allow is the operator's policy: the sources a new dependency may come from without an
// approval. The package comment says how each list is matched.
type Allow struct {
	Registries  []string
	GitSources  []string
	PathSources []string
}

// AllowFromConfig takes the policy from symphony.yml's dependency_audit section.
func AllowFromConfig(c config.DependencyAudit) Allow {
	return Allow{Registries: c.AllowRegistries, GitSources: c.AllowGitSources, PathSources: c.AllowPathSources}
}

// Allows reports whether src is on the allow-list for its kind.
func (a Allow) Allows(src Source) bool {
	switch src.Kind {
	case KindRegistry:
		return matchesAny(a.Registries, src.Location, hostPrefix)
	case KindGit:
		return matchesAny(a.GitSources, src.Location, hostPrefix)
	case KindPath:
		return matchesAny(a.PathSources, src.Location, pathPrefix)
	}
	return false
}

func matchesAny(entries []string, location string, match func(entry, location string) bool) bool {
	for _, e := range entries {
		if match(e, location) {
			return true
		}
	}
	return false
}

// hostPrefix matches "host[/path]" entries: the host exactly (case-insensitive), the path on
// whole segments, so "github.com/acme" allows "github.com/acme/tool" but not
// "github.com/acme-evil/tool".
func hostPrefix(entry, location string) bool {
	entry = strings.TrimSpace(entry)
	if i := strings.Index(entry, "://"); i >= 0 {
		entry = entry[i+3:]
	}
	entry = strings.TrimSuffix(entry, "/")
	eHost, ePath, _ := strings.Cut(entry, "/")
	lHost, lPath, _ := strings.Cut(location, "/")
	if eHost == "" || !strings.EqualFold(eHost, lHost) {
		return false
	}
	return segmentPrefix(ePath, lPath)
}

// pathPrefix matches repository-relative path prefixes on whole segments; "." allows every
// path that stays inside the repository.
func pathPrefix(entry, location string) bool {
	entry = strings.TrimSpace(entry)
	if entry == "" {
		return false
	}
	if strings.HasPrefix(entry, "/") != strings.HasPrefix(location, "/") {
		return false
	}
	entry = path.Clean(entry)
	if entry == "." {
		return location != ".." && !strings.HasPrefix(location, "../")
	}
	return segmentPrefix(entry, location)
}

func segmentPrefix(prefix, p string) bool {
	if prefix == "" || prefix == "/" {
		return true
	}
	return p == prefix || strings.HasPrefix(p, prefix+"/")
}
