package depaudit

import (
	"fmt"
	"strings"
)

// parsePyproject lists a pyproject.toml's dependencies: PEP 621 [project] dependencies and
// optional-dependencies, [build-system] requires, uv's dev-dependencies and PEP 735
// [dependency-groups] (as PEP 508 strings, where "name @
// url" is a direct reference), Poetry's [tool.poetry.*dependencies] tables and its
// [[tool.poetry.source]] indexes, and uv's [tool.uv.sources] and [[tool.uv.index]], which
// say where a PEP 621 dependency really comes from.
func parsePyproject(dir, file string, data []byte) ([]Dependency, error) {
	var doc map[string]any
	if err := decodeTOML(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	lines := newLineIndex(data)
	tool, _ := doc["tool"].(map[string]any)
	poetry, _ := tool["poetry"].(map[string]any)
	uv, _ := tool["uv"].(map[string]any)
	indexes := map[string]Source{}
	var deps []Dependency
	addIndexes := func(list any, key string) {
		items, _ := list.([]map[string]any)
		for _, item := range items {
			name, _ := item["name"].(string)
			u, _ := item["url"].(string)
			src, ok := registryURL(u)
			if !ok {
				src = pathSource(dir, u)
			}
			indexes[name] = src
			deps = append(deps, Dependency{Ecosystem: EcosystemPyPI, Package: key + ":" + name, Source: src, File: file,
				Line: lines.lineOfText(fmt.Sprintf("url = %q", u))})
		}
	}
	addIndexes(poetry["source"], "poetry-source")
	addIndexes(uv["index"], "uv-index")
	uvSources, _ := uv["sources"].(map[string]any)

	addPEP508 := func(list any) error {
		items, ok := list.([]any)
		if !ok && list != nil {
			return fmt.Errorf("%s: a dependency list is not an array of strings", file)
		}
		for _, it := range items {
			req, ok := it.(string)
			if !ok {
				// PEP 735 {include-group = "..."} names another group, not a package.
				continue
			}
			name, src, ok := pep508Source(dir, req, registry(registryPyPI))
			if !ok {
				return fmt.Errorf("%s:%d: cannot read the requirement %q", file, lines.lineOfText(fmt.Sprintf("%q,", req)), req)
			}
			if s, ok := uvSources[name]; ok {
				src = pyTableSource(dir, s, indexes, src)
			} else if s, ok := uvSources[req[:len(pep508Name.FindString(req))]]; ok {
				src = pyTableSource(dir, s, indexes, src)
			}
			deps = append(deps, Dependency{Ecosystem: EcosystemPyPI, Package: name, Source: src, File: file, Line: pyLine(lines, req)})
		}
		return nil
	}
	project, _ := doc["project"].(map[string]any)
	buildSystem, _ := doc["build-system"].(map[string]any)
	for _, list := range []any{buildSystem["requires"], project["dependencies"], uv["dev-dependencies"]} {
		if err := addPEP508(list); err != nil {
			return nil, err
		}
	}
	for _, group := range []any{project["optional-dependencies"], doc["dependency-groups"]} {
		m, _ := group.(map[string]any)
		for _, k := range sortedKeys(m) {
			if err := addPEP508(m[k]); err != nil {
				return nil, err
			}
		}
	}

	addPoetry := func(table any) {
		m, _ := table.(map[string]any)
		for _, name := range sortedKeys(m) {
			if strings.EqualFold(name, "python") {
				continue
			}
			src := pyTableSource(dir, m[name], indexes, registry(registryPyPI))
			deps = append(deps, Dependency{Ecosystem: EcosystemPyPI, Package: normalizePyName(name), Source: src, File: file,
				Line: lines.lineOfTOMLKey(name)})
		}
	}
	addPoetry(poetry["dependencies"])
	addPoetry(poetry["dev-dependencies"])
	groups, _ := poetry["group"].(map[string]any)
	for _, g := range sortedKeys(groups) {
		if gm, ok := groups[g].(map[string]any); ok {
			addPoetry(gm["dependencies"])
		}
	}
	return deps, nil
}

// pyTableSource classifies a Poetry dependency or uv source value: a version string (the
// default index), or a table with git, path, url, source (Poetry) or index (uv).
func pyTableSource(dir string, v any, indexes map[string]Source, fallback Source) Source {
	switch t := v.(type) {
	case map[string]any:
		return pyTableEntrySource(dir, t, indexes, fallback)
	case []map[string]any:
		// Several constraints (one per platform or Python version): the first names the kind;
		// any other source among them is as new as the first.
		if len(t) > 0 {
			return pyTableEntrySource(dir, t[0], indexes, fallback)
		}
	}
	return fallback
}

func pyTableEntrySource(dir string, t map[string]any, indexes map[string]Source, fallback Source) Source {
	if git, ok := t["git"].(string); ok {
		return gitSource(git)
	}
	if p, ok := t["path"].(string); ok {
		return pathSource(dir, p)
	}
	if u, ok := t["url"].(string); ok {
		return pyURLSource(dir, u)
	}
	for _, key := range []string{"source", "index"} {
		if name, ok := t[key].(string); ok {
			if src, ok := indexes[name]; ok {
				return src
			}
			return registry("index:" + name)
		}
	}
	if ws, ok := t["workspace"].(bool); ok && ws {
		return pathSource(dir, ".")
	}
	return fallback
}

// pyLine finds a PEP 508 string inside a TOML array.
func pyLine(lines lineIndex, req string) int {
	for _, form := range []string{fmt.Sprintf("%q,", req), fmt.Sprintf("%q", req), "'" + req + "',", "'" + req + "'"} {
		if n := lines.lineOfText(form); n > 0 {
			return n
		}
	}
	// Written inline: `dev = ["pytest"]`.
	if n := lines.lineOfSubstring(fmt.Sprintf("%q", req)); n > 0 {
		return n
	}
	return lines.lineOfSubstring("'" + req + "'")
}
