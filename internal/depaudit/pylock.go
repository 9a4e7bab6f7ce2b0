package depaudit

import (
	"fmt"
)

// parsePoetryLock lists poetry.lock's packages: one with a [package.source] comes from that
// source (type git, directory, file, url, or a legacy index by URL), one without from PyPI.
func parsePoetryLock(dir, file string, data []byte) ([]Dependency, error) {
	var lock struct {
		Package []struct {
			Name   string `toml:"name"`
			Source struct {
				Type string `toml:"type"`
				URL  string `toml:"url"`
			} `toml:"source"`
		} `toml:"package"`
	}
	if err := decodeTOML(data, &lock); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	lines := newLineIndex(data)
	var deps []Dependency
	for _, p := range lock.Package {
		src := registry(registryPyPI)
		switch p.Source.Type {
		case "":
		case "git":
			src = gitSource(p.Source.URL)
		case "directory", "file":
			src = pathSource(dir, p.Source.URL)
		case "url":
			src = pyURLSource(dir, p.Source.URL)
		default:
			var ok bool
			if src, ok = registryURL(p.Source.URL); !ok {
				return nil, fmt.Errorf("%s: package %q: source of type %q has no http(s) URL", file, p.Name, p.Source.Type)
			}
		}
		deps = append(deps, Dependency{Ecosystem: EcosystemPyPI, Package: normalizePyName(p.Name), Source: src, File: file,
			Line: lines.lineOfText(fmt.Sprintf("name = %q", p.Name))})
	}
	return deps, nil
}

// parseUVLock lists uv.lock's packages by their source table: registry (an index URL),
// git, url, or path, directory, editable and virtual (local).
func parseUVLock(dir, file string, data []byte) ([]Dependency, error) {
	var lock struct {
		Package []struct {
			Name   string            `toml:"name"`
			Source map[string]string `toml:"source"`
		} `toml:"package"`
	}
	if err := decodeTOML(data, &lock); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	lines := newLineIndex(data)
	var deps []Dependency
	for _, p := range lock.Package {
		s := p.Source
		var src Source
		switch {
		case s["registry"] != "":
			var ok bool
			if src, ok = registryURL(s["registry"]); !ok {
				src = pathSource(dir, s["registry"])
			}
		case s["git"] != "":
			src = gitSource(s["git"])
		case s["url"] != "":
			src = pyURLSource(dir, s["url"])
		case s["path"] != "":
			src = pathSource(dir, s["path"])
		case s["directory"] != "":
			src = pathSource(dir, s["directory"])
		case s["editable"] != "":
			src = pathSource(dir, s["editable"])
		case s["virtual"] != "":
			src = pathSource(dir, s["virtual"])
		default:
			return nil, fmt.Errorf("%s: package %q has no source the audit knows", file, p.Name)
		}
		deps = append(deps, Dependency{Ecosystem: EcosystemPyPI, Package: normalizePyName(p.Name), Source: src, File: file,
			Line: lines.lineOfText(fmt.Sprintf("name = %q", p.Name))})
	}
	return deps, nil
}
