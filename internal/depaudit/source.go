package depaudit

import (
	"net/url"
	"path"
	"strings"
)

// Kind says how a dependency is fetched.
type Kind string

const (
	KindRegistry Kind = "registry"
	KindGit      Kind = "git"
	KindPath     Kind = "path"
)

// Ecosystems a manifest belongs to; part of a dependency's identity so that an npm and a PyPI
// package of the same name stay apart.
const (
	EcosystemGo       = "go"
	EcosystemNPM      = "npm"
	EcosystemCargo    = "cargo"
	EcosystemPyPI     = "pypi"
	EcosystemRubyGems = "rubygems"
)

// Standard registries, assumed where a manifest or lock names none.
const (
	registryNPM      = "registry.npmjs.org"
	registryPyPI     = "pypi.org"
	registryCrates   = "crates.io"
	registryRubyGems = "rubygems.org"
)

// Source is where a dependency comes from, in the normalized form the allow-lists match.
type Source struct {
	Kind     Kind   `json:"kind"`
	Location string `json:"location"`
}

func (s Source) String() string { return string(s.Kind) + " " + s.Location }

// Dependency is one package a manifest or lock file takes from a source.
type Dependency struct {
	Ecosystem string `json:"ecosystem"`
	Package   string `json:"package"`
	Source    Source `json:"source"`
	// File is the manifest's path in the repository; Line is 1-based, 0 when unknown.
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
}

// identity is what makes a dependency new: everything but its version, file and line.
type identity struct {
	ecosystem, pkg string
	source         Source
}

func (d Dependency) identity() identity {
	return identity{ecosystem: d.Ecosystem, pkg: d.Package, source: d.Source}
}

func registry(location string) Source { return Source{Kind: KindRegistry, Location: location} }

// gitSource normalizes a git URL in any of its spellings (git+https://, ssh://git@,
// git@host:owner/repo, with .git, #fragment, ?query or an @revision after the path).
func gitSource(raw string) Source {
	return Source{Kind: KindGit, Location: normalizeGitURL(raw)}
}

func normalizeGitURL(raw string) string {
	s := strings.TrimSpace(raw)
	s = strings.TrimPrefix(s, "git+")
	if i := strings.IndexAny(s, "#?"); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	} else if at, colon := strings.Index(s, "@"), strings.Index(s, ":"); colon > 0 && (at < 0 || at < colon) && !strings.Contains(s[:colon], "/") {
		// scp-like syntax: [user@]host:owner/repo
		s = s[:colon] + "/" + strings.TrimPrefix(s[colon+1:], "/")
	}
	host, rest, _ := strings.Cut(s, "/")
	if i := strings.LastIndex(host, "@"); i >= 0 {
		host = host[i+1:]
	}
	// pip's "repo.git@v1.2" names a revision after the path.
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest = rest[:i]
	}
	rest = strings.TrimSuffix(strings.TrimSuffix(rest, "/"), ".git")
	host = strings.ToLower(host)
	if rest == "" {
		return host
	}
	return host + "/" + rest
}

// urlLocation names an HTTP(S) URL by host and path (no scheme, user, query or fragment).
// ok is false for anything that is not an absolute http(s) URL.
func urlLocation(raw string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	p := strings.TrimSuffix(path.Clean("/"+u.Path), "/")
	return strings.ToLower(u.Host) + p, true
}

// registryURL names a registry given by URL (an index, a mirror) by host and base path.
func registryURL(raw string) (Source, bool) {
	loc, ok := urlLocation(raw)
	if !ok {
		return Source{}, false
	}
	return registry(canonicalRegistry(loc)), true
}

// canonicalRegistry folds the spellings of one standard registry into its name.
func canonicalRegistry(loc string) string {
	host, _, _ := strings.Cut(loc, "/")
	switch host {
	case "registry.yarnpkg.com", "registry.npmjs.com":
		return registryNPM
	case "index.crates.io", "static.crates.io":
		return registryCrates
	case "files.pythonhosted.org":
		return registryPyPI
	}
	switch loc {
	case "github.com/rust-lang/crates.io-index":
		return registryCrates
	case "pypi.org/simple", "pypi.org/pypi", "pypi.python.org/simple":
		return registryPyPI
	}
	return loc
}

// tarballSource names the source of a package archive URL. For the npm layout
// (<registry>/<name>/-/<file>) the registry is the part before the package name; for any
// other archive it is the URL's directory, so bumping the file name keeps the source.
func tarballSource(raw, pkg string) (Source, bool) {
	loc, ok := urlLocation(raw)
	if !ok {
		return Source{}, false
	}
	if pkg != "" {
		if i := strings.Index(loc, "/"+pkg+"/-/"); i >= 0 {
			return registry(canonicalRegistry(loc[:i])), true
		}
	}
	if host, _, _ := strings.Cut(loc, "/"); host == "files.pythonhosted.org" {
		return registry(registryPyPI), true
	}
	if i := strings.LastIndex(loc, "/"); i > 0 {
		loc = loc[:i]
	}
	return registry(canonicalRegistry(loc)), true
}

// pathSource names a local path dependency relative to the repository root, given the
// directory (repository-relative) of the manifest that names it.
func pathSource(manifestDir, p string) Source {
	p = strings.TrimSpace(p)
	p = strings.TrimPrefix(p, "file://")
	p = strings.TrimPrefix(p, "file:")
	if strings.HasPrefix(p, "/") {
		return Source{Kind: KindPath, Location: path.Clean(p)}
	}
	return Source{Kind: KindPath, Location: path.Clean(path.Join(manifestDir, p))}
}

// isGitSpec reports whether a dependency specifier names a git repository.
func isGitSpec(s string) bool {
	for _, p := range []string{"git+", "git://", "git@", "ssh://", "github:", "gitlab:", "bitbucket:", "gist:"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// shorthandGitSource expands npm's host shorthands (github:owner/repo, owner/repo).
func shorthandGitSource(spec string) Source {
	for prefix, host := range map[string]string{"github:": "github.com", "gitlab:": "gitlab.com", "bitbucket:": "bitbucket.org", "gist:": "gist.github.com"} {
		if rest, ok := strings.CutPrefix(spec, prefix); ok {
			return gitSource(host + "/" + rest)
		}
	}
	return gitSource(spec)
}
