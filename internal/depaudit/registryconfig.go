package depaudit

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// Registry configuration files redirect where a package manager fetches packages without any
// manifest changing: an .npmrc pointing the default registry elsewhere turns every later
// `npm install` of an unchanged package.json into a download from that host. Each registry
// setting is listed as a dependency named by its key ("registry", "@scope:registry",
// "npmRegistryServer", "registries.<name>", "index-url"), so changing its URL is a new source.
// Nothing else is read from these files: they also hold credentials.

// parseNPMRC reads .npmrc's registry and @scope:registry settings.
func parseNPMRC(_, file string, data []byte) ([]Dependency, error) {
	var deps []Dependency
	err := eachLine(data, func(n int, line string) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			return
		}
		key, value, ok := strings.Cut(line, "=")
		key, value = strings.TrimSpace(key), unquoteYAML(strings.TrimSpace(value))
		if !ok || (key != "registry" && !strings.HasSuffix(key, ":registry")) {
			return
		}
		deps = append(deps, Dependency{Ecosystem: EcosystemNPM, Package: key, Source: configuredRegistry(value), File: file, Line: n})
	})
	return deps, err
}

// parseYarnRC reads npmRegistryServer from .yarnrc.yml (berry), at the top level or under
// npmScopes.<scope>, and `registry "<url>"` from a classic .yarnrc.
func parseYarnRC(_, file string, data []byte) ([]Dependency, error) {
	var deps []Dependency
	scope := ""
	inScopes := false
	err := eachLine(data, func(n int, raw string) {
		trimmed := strings.TrimSpace(raw)
		if trimmed == "" || trimmed[0] == '#' {
			return
		}
		indent := len(raw) - len(strings.TrimLeft(raw, " "))
		if k, v, ok := strings.Cut(trimmed, " "); ok && indent == 0 && k == "registry" {
			deps = append(deps, Dependency{Ecosystem: EcosystemNPM, Package: "registry", Source: configuredRegistry(unquoteYAML(v)), File: file, Line: n})
			return
		}
		key, value, isKey := yamlKeyValue(trimmed)
		if !isKey {
			return
		}
		switch {
		case indent == 0:
			inScopes, scope = key == "npmScopes", ""
			if key == "npmRegistryServer" {
				deps = append(deps, Dependency{Ecosystem: EcosystemNPM, Package: key, Source: configuredRegistry(unquoteYAML(value)), File: file, Line: n})
			}
		case inScopes && value == "" && key != "npmRegistryServer":
			scope = key
		case inScopes && key == "npmRegistryServer" && scope != "":
			deps = append(deps, Dependency{Ecosystem: EcosystemNPM, Package: "npmScopes." + scope, Source: configuredRegistry(unquoteYAML(value)), File: file, Line: n})
		}
	})
	return deps, err
}

// parseCargoConfig reads .cargo/config.toml's [registries.<name>] index and [source.<name>]
// replacements (registry URLs, local-registry and directory paths).
func parseCargoConfig(dir, file string, data []byte) ([]Dependency, error) {
	var cfg struct {
		Registries map[string]struct {
			Index string `toml:"index"`
		} `toml:"registries"`
		Source map[string]struct {
			Registry      string `toml:"registry"`
			LocalRegistry string `toml:"local-registry"`
			Directory     string `toml:"directory"`
			Git           string `toml:"git"`
		} `toml:"source"`
	}
	if err := decodeTOML(data, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	lines := newLineIndex(data)
	// The file sits in .cargo/, whose parent is the directory it configures.
	root := strings.TrimSuffix(strings.TrimSuffix(dir, ".cargo"), "/")
	if root == "" {
		root = "."
	}
	var deps []Dependency
	for _, name := range sortedKeys(cfg.Registries) {
		deps = append(deps, Dependency{Ecosystem: EcosystemCargo, Package: "registries." + name,
			Source: cargoIndexSource(cfg.Registries[name].Index), File: file, Line: lines.lineOfText("[registries." + name + "]")})
	}
	for _, name := range sortedKeys(cfg.Source) {
		s := cfg.Source[name]
		var src Source
		switch {
		case s.Registry != "":
			src = cargoIndexSource(s.Registry)
		case s.Git != "":
			src = gitSource(s.Git)
		case s.LocalRegistry != "":
			src = pathSource(root, s.LocalRegistry)
		case s.Directory != "":
			src = pathSource(root, s.Directory)
		default:
			// replace-with only names another [source.*] entry, listed on its own.
			continue
		}
		deps = append(deps, Dependency{Ecosystem: EcosystemCargo, Package: "source." + name, Source: src, File: file,
			Line: lines.lineOfText("[source." + name + "]")})
	}
	return deps, nil
}

// parsePipConf reads index-url, extra-index-url and find-links from pip.conf or pip.ini, in
// any section; a value may continue on indented lines, one URL each.
func parsePipConf(dir, file string, data []byte) ([]Dependency, error) {
	var deps []Dependency
	key := ""
	add := func(n int, value string) {
		for _, v := range strings.Fields(value) {
			src, ok := registryURL(v)
			if !ok {
				src = pathSource(dir, v)
			}
			deps = append(deps, Dependency{Ecosystem: EcosystemPyPI, Package: key, Source: src, File: file, Line: n})
		}
	}
	err := eachLine(data, func(n int, raw string) {
		trimmed := strings.TrimSpace(raw)
		if trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';' {
			return
		}
		if raw[0] == ' ' || raw[0] == '\t' {
			if key != "" {
				add(n, trimmed)
			}
			return
		}
		key = ""
		k, v, ok := strings.Cut(trimmed, "=")
		if !ok {
			return
		}
		switch k = strings.TrimSpace(k); k {
		case "index-url", "extra-index-url", "find-links":
			key = k
			add(n, v)
		}
	})
	return deps, err
}

// eachLine calls fn with every line of data and its 1-based number.
func eachLine(data []byte, fn func(n int, line string)) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), MaxFileBytes)
	for n := 1; sc.Scan(); n++ {
		fn(n, sc.Text())
	}
	return sc.Err()
}

// configuredRegistry names a registry URL from a configuration file; a value the audit
// cannot read as a URL (an unexpanded ${VAR}) is kept verbatim, so it still needs approval.
func configuredRegistry(value string) Source {
	if src, ok := registryURL(value); ok {
		return src
	}
	return registry(value)
}
