package depaudit

import (
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
)

// parseCargoToml lists Cargo.toml's dependencies from every dependency table
// ([dependencies], [dev-dependencies], [build-dependencies], their [target.*] forms,
// [workspace.dependencies]) and its [patch.*] overrides: a git key is a git source, a path
// key a path source, a registry key a named registry (named "registry:<name>", since its
// URL lives in .cargo/config.toml), anything else crates.io.
func parseCargoToml(dir, file string, data []byte) ([]Dependency, error) {
	var manifest map[string]any
	if err := decodeTOML(data, &manifest); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	lines := newLineIndex(data)
	var deps []Dependency
	add := func(section string, table map[string]any) {
		for _, name := range sortedKeys(table) {
			if inheritsFromWorkspace(table[name]) {
				// The workspace root's [workspace.dependencies] names the source; it is
				// audited when it changes.
				continue
			}
			pkg, src := cargoDependencySource(dir, name, table[name])
			line := lines.lineOfText("[" + section + "." + name + "]")
			if line == 0 {
				line = lines.lineOfTOMLKey(name)
			}
			deps = append(deps, Dependency{Ecosystem: EcosystemCargo, Package: pkg, Source: src, File: file, Line: line})
		}
	}
	addSections := func(m map[string]any) {
		for _, section := range []string{"dependencies", "dev-dependencies", "build-dependencies", "dev_dependencies", "build_dependencies"} {
			if t, ok := m[section].(map[string]any); ok {
				add(section, t)
			}
		}
	}
	addSections(manifest)
	if targets, ok := manifest["target"].(map[string]any); ok {
		for _, cfg := range sortedKeys(targets) {
			if t, ok := targets[cfg].(map[string]any); ok {
				addSections(t)
			}
		}
	}
	if ws, ok := manifest["workspace"].(map[string]any); ok {
		addSections(ws)
	}
	if patches, ok := manifest["patch"].(map[string]any); ok {
		for _, reg := range sortedKeys(patches) {
			if t, ok := patches[reg].(map[string]any); ok {
				add("patch."+reg, t)
			}
		}
	}
	if t, ok := manifest["replace"].(map[string]any); ok {
		add("replace", t)
	}
	return deps, nil
}

// inheritsFromWorkspace reports `name = { workspace = true }` (or `name.workspace = true`).
func inheritsFromWorkspace(v any) bool {
	t, ok := v.(map[string]any)
	if !ok {
		return false
	}
	ws, _ := t["workspace"].(bool)
	return ws
}

// cargoDependencySource classifies one dependency's value: a version string, or a table
// with git, path, registry and package (the real name of a renamed dependency).
func cargoDependencySource(dir, name string, v any) (string, Source) {
	t, ok := v.(map[string]any)
	if !ok {
		return name, registry(registryCrates)
	}
	if pkg, ok := t["package"].(string); ok && pkg != "" {
		name = pkg
	}
	if git, ok := t["git"].(string); ok {
		return name, gitSource(git)
	}
	if p, ok := t["path"].(string); ok {
		return name, pathSource(dir, p)
	}
	if reg, ok := t["registry"].(string); ok {
		return name, registry("registry:" + reg)
	}
	if idx, ok := t["registry-index"].(string); ok {
		return name, cargoIndexSource(idx)
	}
	return name, registry(registryCrates)
}

// parseCargoLock lists Cargo.lock's packages by their source ("registry+<index>",
// "sparse+<index>", "git+<url>?rev#sha"); packages without a source are the workspace's own
// crates, which Cargo.toml's path dependencies already name.
func parseCargoLock(_, file string, data []byte) ([]Dependency, error) {
	var lock struct {
		Package []struct {
			Name   string `toml:"name"`
			Source string `toml:"source"`
		} `toml:"package"`
	}
	if err := decodeTOML(data, &lock); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	lines := newLineIndex(data)
	var deps []Dependency
	for _, p := range lock.Package {
		if p.Source == "" {
			continue
		}
		var src Source
		switch {
		case strings.HasPrefix(p.Source, "git+"):
			src = gitSource(p.Source)
		default:
			src = cargoIndexSource(p.Source)
		}
		deps = append(deps, Dependency{Ecosystem: EcosystemCargo, Package: p.Name, Source: src, File: file,
			Line: lines.lineOfText(fmt.Sprintf("name = %q", p.Name))})
	}
	return deps, nil
}

// cargoIndexSource names a registry by its index URL (registry+ and sparse+ prefixes
// dropped); crates.io's git and sparse indexes both become "crates.io".
func cargoIndexSource(index string) Source {
	index = strings.TrimPrefix(strings.TrimPrefix(index, "registry+"), "sparse+")
	if src, ok := registryURL(index); ok {
		return src
	}
	return registry(index)
}

// decodeTOML decodes TOML, turning a decoder panic on hostile input into an error.
func decodeTOML(data []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("TOML cannot be parsed: %v", r)
		}
	}()
	_, err = toml.Decode(string(data), v)
	return err
}
