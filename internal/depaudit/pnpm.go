package depaudit

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// parsePNPMLock lists the packages of a pnpm-lock.yaml (lockfile v5 to v9) by their
// "resolution": an integrity hash alone means the default registry, a tarball its URL, a
// git resolution its repository, a directory its path. Importers' link: versions are path
// sources too.
//
// pnpm writes this file in one fixed layout, so it is read line by line by indentation: a
// general YAML decoder costs far more memory than a lock file of thousands of packages
// should (internal/yamlschema measures it), and the audit needs only these few keys.
func parsePNPMLock(dir, file string, data []byte) ([]Dependency, error) {
	var deps []Dependency
	var (
		section    string // top-level key: packages, importers, ...
		current    *Dependency
		resolution map[string]string
		inResolved bool
		importDep  string
	)
	flush := func() {
		if current == nil {
			return
		}
		current.Source = pnpmResolutionSource(dir, current.Package, resolution)
		deps = append(deps, *current)
		current, resolution, inResolved = nil, nil, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), MaxFileBytes)
	for n := 1; sc.Scan(); n++ {
		raw := sc.Text()
		trimmed := strings.TrimSpace(raw)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		indent := len(raw) - len(strings.TrimLeft(raw, " "))
		key, value, isKey := yamlKeyValue(trimmed)
		switch {
		case indent == 0:
			flush()
			if !isKey {
				return nil, fmt.Errorf("%s:%d: expected a top-level key", file, n)
			}
			section = key
		case section == "packages" && indent == 2 && isKey:
			flush()
			current = &Dependency{Ecosystem: EcosystemNPM, Package: pnpmPackageName(key), File: file, Line: n}
		case section == "packages" && current != nil && indent == 4 && isKey:
			inResolved = key == "resolution"
			if inResolved {
				resolution = flowMap(value)
			}
		case section == "packages" && current != nil && inResolved && indent >= 6 && isKey:
			if resolution == nil {
				resolution = map[string]string{}
			}
			resolution[key] = unquoteYAML(value)
		case importerSections[section] && isKey && value == "" && !importerSections[key]:
			importDep = key
		case importerSections[section] && isKey && key != "specifier":
			v := unquoteYAML(value)
			if !strings.HasPrefix(v, "link:") && !strings.HasPrefix(v, "file:") {
				continue
			}
			name := key
			if key == "version" {
				name = importDep
			}
			deps = append(deps, Dependency{Ecosystem: EcosystemNPM, Package: name,
				Source: pathSource(dir, strings.TrimPrefix(strings.TrimPrefix(v, "link:"), "file:")), File: file, Line: n})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	flush()
	return deps, nil
}

// importerSections hold a project's direct dependencies: "importers" in a workspace lock, the
// top-level sections in a single project's.
var importerSections = map[string]bool{"importers": true, "dependencies": true, "devDependencies": true, "optionalDependencies": true}

// pnpmResolutionSource classifies a package's resolution map.
func pnpmResolutionSource(dir, pkg string, r map[string]string) Source {
	switch {
	case r["type"] == "git" || r["repo"] != "":
		return gitSource(r["repo"])
	case r["type"] == "directory" || r["directory"] != "":
		return pathSource(dir, r["directory"])
	case r["tarball"] != "":
		t := r["tarball"]
		if strings.HasPrefix(t, "file:") {
			return pathSource(dir, t)
		}
		if src, ok := tarballSource(t, pkg); ok {
			return src
		}
		return gitSource(t)
	}
	return registry(registryNPM)
}

// pnpmPackageName takes the name out of a packages key: "/name@1.0.0", "name@1.0.0(peer@2)",
// "/@scope/name@1.0.0", or lockfile v5's "/name/1.0.0".
func pnpmPackageName(key string) string {
	key = strings.TrimPrefix(unquoteYAML(key), "/")
	if i := strings.IndexByte(key, '('); i > 0 {
		key = key[:i]
	}
	from := 0
	if strings.HasPrefix(key, "@") {
		from = 1
	}
	if i := strings.IndexByte(key[from:], '@'); i >= 0 {
		return key[:from+i]
	}
	// v5: the version is the last path segment.
	if i := strings.LastIndexByte(key, '/'); i > from {
		return key[:i]
	}
	return key
}

// yamlKeyValue splits a block-mapping line "key: value" (the key possibly quoted); isKey is
// false for list items and other lines.
func yamlKeyValue(line string) (key, value string, isKey bool) {
	if strings.HasPrefix(line, "- ") {
		return "", "", false
	}
	if line[0] == '"' || line[0] == '\'' {
		end := strings.IndexByte(line[1:], line[0])
		if end < 0 {
			return "", "", false
		}
		rest := line[end+2:]
		if !strings.HasPrefix(rest, ":") {
			return "", "", false
		}
		return line[1 : end+1], strings.TrimSpace(rest[1:]), true
	}
	i := strings.Index(line, ": ")
	if i < 0 {
		if strings.HasSuffix(line, ":") {
			return line[:len(line)-1], "", true
		}
		return "", "", false
	}
	return line[:i], strings.TrimSpace(line[i+2:]), true
}

// flowMap reads a one-line YAML flow mapping "{a: x, b: 'y'}" of plain scalars.
func flowMap(v string) map[string]string {
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, "{") || !strings.HasSuffix(v, "}") {
		return nil
	}
	out := map[string]string{}
	for _, part := range strings.Split(v[1:len(v)-1], ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), ":")
		if ok {
			out[strings.TrimSpace(k)] = unquoteYAML(strings.TrimSpace(val))
		}
	}
	return out
}

func unquoteYAML(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}
