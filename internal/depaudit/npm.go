package depaudit

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// npmDependencyFields are the package.json sections that install packages.
var npmDependencyFields = []string{"dependencies", "devDependencies", "optionalDependencies", "peerDependencies"}

// parsePackageJSON lists package.json's dependencies by the source their specifier names.
func parsePackageJSON(dir, file string, data []byte) ([]Dependency, error) {
	var manifest map[string]json.RawMessage
	if err := json.Unmarshal(data, &manifest); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	lines := newLineIndex(data)
	var deps []Dependency
	for _, field := range npmDependencyFields {
		raw, ok := manifest[field]
		if !ok {
			continue
		}
		var specs map[string]any
		if err := json.Unmarshal(raw, &specs); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", file, field, err)
		}
		for _, name := range sortedKeys(specs) {
			spec, ok := specs[name].(string)
			if !ok {
				return nil, fmt.Errorf("%s: %s.%s: the version specifier is not a string", file, field, name)
			}
			pkg, src := npmSpecSource(dir, name, spec)
			deps = append(deps, Dependency{Ecosystem: EcosystemNPM, Package: pkg, Source: src, File: file, Line: lines.lineOfKey(name)})
		}
	}
	return deps, nil
}

// npmSpecSource classifies an npm specifier: an alias (npm:other@1), a git URL or host
// shorthand, a tarball URL, a local path (file:, link:, workspace:) or a registry range.
func npmSpecSource(dir, name, spec string) (string, Source) {
	spec = strings.TrimSpace(spec)
	switch {
	case strings.HasPrefix(spec, "npm:"):
		alias := strings.TrimPrefix(spec, "npm:")
		if i := strings.LastIndex(alias, "@"); i > 0 {
			alias = alias[:i]
		}
		return alias, registry(registryNPM)
	case isGitSpec(spec):
		return name, shorthandGitSource(spec)
	case strings.HasPrefix(spec, "http://") || strings.HasPrefix(spec, "https://"):
		if isGitHTTPURL(spec) {
			return name, gitSource(spec)
		}
		if src, ok := tarballSource(spec, name); ok {
			return name, src
		}
	case strings.HasPrefix(spec, "workspace:"):
		return name, pathSource(dir, ".")
	case strings.HasPrefix(spec, "file:") || strings.HasPrefix(spec, "link:"):
		return name, pathSource(dir, strings.TrimPrefix(strings.TrimPrefix(spec, "link:"), "file:"))
	case strings.HasPrefix(spec, ".") || strings.HasPrefix(spec, "/") || strings.HasPrefix(spec, "~/"):
		return name, pathSource(dir, spec)
	case isGitHubShorthand(spec):
		return name, gitSource("github.com/" + spec)
	}
	return name, registry(registryNPM)
}

// isGitHTTPURL reports a repository cloned over HTTP(S): its path ends in ".git".
func isGitHTTPURL(spec string) bool {
	u, _, _ := strings.Cut(spec, "#")
	u, _, _ = strings.Cut(u, "?")
	return strings.HasSuffix(strings.TrimSuffix(u, "/"), ".git")
}

// isGitHubShorthand reports npm's bare "owner/repo[#ref]" form.
func isGitHubShorthand(spec string) bool {
	repo, _, _ := strings.Cut(spec, "#")
	owner, name, ok := strings.Cut(repo, "/")
	return ok && owner != "" && name != "" && !strings.ContainsAny(repo, " :@<>=^~*") && !strings.Contains(name, "/")
}

// lockPackage is an entry of package-lock.json's "packages" (lockfile v2 and v3).
type lockPackage struct {
	Name     string `json:"name"`
	Resolved string `json:"resolved"`
	Link     bool   `json:"link"`
}

// parsePackageLock lists every installed package of a v2/v3 package-lock.json (or
// npm-shrinkwrap.json) by its "resolved" source; an entry without one came from the default
// registry, a linked entry from the path it links to.
func parsePackageLock(dir, file string, data []byte) ([]Dependency, error) {
	var lock struct {
		LockfileVersion int                    `json:"lockfileVersion"`
		Packages        map[string]lockPackage `json:"packages"`
	}
	if err := json.Unmarshal(data, &lock); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if lock.Packages == nil && lock.LockfileVersion < 2 {
		return nil, fmt.Errorf("%s: lockfileVersion %d has no \"packages\" section; the audit reads lockfile v2 and v3 (npm 7 or later)", file, lock.LockfileVersion)
	}
	lines := newLineIndex(data)
	var deps []Dependency
	for _, key := range sortedKeys(lock.Packages) {
		if key == "" {
			continue
		}
		p := lock.Packages[key]
		name := p.Name
		if i := strings.LastIndex(key, "node_modules/"); i >= 0 && name == "" {
			name = key[i+len("node_modules/"):]
		}
		var src Source
		switch {
		case p.Link:
			src = pathSource(dir, p.Resolved)
		case !strings.Contains(key, "node_modules/"):
			// A workspace member's own directory.
			src = pathSource(dir, key)
			if name == "" {
				name = key
			}
		default:
			_, src = npmResolvedSource(dir, name, p.Resolved)
		}
		deps = append(deps, Dependency{Ecosystem: EcosystemNPM, Package: name, Source: src, File: file, Line: lines.lineOfKey(key)})
	}
	return deps, nil
}

// npmResolvedSource classifies a lock file's resolved URL; empty means the default registry.
func npmResolvedSource(dir, name, resolved string) (string, Source) {
	if resolved == "" {
		return name, registry(registryNPM)
	}
	return npmSpecSource(dir, name, resolved)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
