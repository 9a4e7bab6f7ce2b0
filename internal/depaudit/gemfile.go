package depaudit

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// parseGemfileLock lists the gems of a Gemfile.lock by section: GEM (from its remote:
// registries), GIT (its repository) and PATH (a local directory). Specs are the lines
// indented four spaces under "specs:"; deeper lines are their own dependencies, which are
// listed as specs of their own elsewhere in the same section.
func parseGemfileLock(dir, file string, data []byte) ([]Dependency, error) {
	var deps []Dependency
	var (
		section string
		remotes []Source
		inSpecs bool
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), MaxFileBytes)
	for n := 1; sc.Scan(); n++ {
		raw := sc.Text()
		if strings.TrimSpace(raw) == "" {
			continue
		}
		if raw[0] != ' ' {
			section, remotes, inSpecs = strings.TrimSpace(raw), nil, false
			continue
		}
		if section != "GEM" && section != "GIT" && section != "PATH" && section != "PLUGIN SOURCE" {
			continue
		}
		trimmed := strings.TrimSpace(raw)
		indent := len(raw) - len(strings.TrimLeft(raw, " "))
		switch {
		case indent == 2 && strings.HasPrefix(trimmed, "remote:"):
			r := strings.TrimSpace(strings.TrimPrefix(trimmed, "remote:"))
			remotes = append(remotes, gemRemoteSource(dir, section, r))
		case indent == 2:
			inSpecs = trimmed == "specs:"
		case indent == 4 && inSpecs:
			name, _, _ := strings.Cut(trimmed, " ")
			if len(remotes) == 0 {
				return nil, fmt.Errorf("%s:%d: gem %q is listed before its section names a remote", file, n, name)
			}
			for _, src := range remotes {
				deps = append(deps, Dependency{Ecosystem: EcosystemRubyGems, Package: name, Source: src, File: file, Line: n})
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return deps, nil
}

func gemRemoteSource(dir, section, remote string) Source {
	switch section {
	case "GIT":
		return gitSource(remote)
	case "PATH":
		return pathSource(dir, remote)
	}
	if src, ok := registryURL(remote); ok {
		return src
	}
	return pathSource(dir, remote)
}
