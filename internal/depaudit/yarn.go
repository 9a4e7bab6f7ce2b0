package depaudit

import (
	"bufio"
	"bytes"
	"fmt"
	"net/url"
	"strings"
)

// parseYarnLock lists the packages of a yarn.lock, classic (v1: `resolved "<url>"`) or berry
// (v2+: `resolution: "<name>@<protocol>:<ref>"`). Both are blocks: an unindented header of
// descriptors, then indented fields.
func parseYarnLock(dir, file string, data []byte) ([]Dependency, error) {
	var deps []Dependency
	var (
		name       string
		line       int
		resolved   string
		resolution string
		open       bool
	)
	flush := func() {
		if !open {
			return
		}
		open = false
		pkg, src := yarnSource(dir, name, resolved, resolution)
		if src.Kind == "" {
			return
		}
		deps = append(deps, Dependency{Ecosystem: EcosystemNPM, Package: pkg, Source: src, File: file, Line: line})
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), MaxFileBytes)
	for n := 1; sc.Scan(); n++ {
		raw := sc.Text()
		trimmed := strings.TrimSpace(raw)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if raw[0] != ' ' {
			flush()
			if !strings.HasSuffix(trimmed, ":") {
				return nil, fmt.Errorf("%s:%d: expected a package header ending in ':'", file, n)
			}
			header := strings.TrimSuffix(trimmed, ":")
			if header == "__metadata" {
				continue
			}
			first, _, _ := strings.Cut(header, ",")
			name = descriptorName(unquoteYAML(strings.TrimSpace(first)))
			line, resolved, resolution, open = n, "", "", true
			continue
		}
		if !open || strings.HasPrefix(raw, "    ") {
			continue
		}
		// classic: `key value`; berry: `key: value`.
		key, value, ok := strings.Cut(trimmed, " ")
		if !ok {
			continue
		}
		switch strings.TrimSuffix(key, ":") {
		case "resolved":
			resolved = unquoteYAML(value)
		case "resolution":
			resolution = unquoteYAML(value)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	flush()
	return deps, nil
}

// descriptorName takes the package name out of "name@range" or "@scope/name@npm:range".
func descriptorName(d string) string {
	from := 0
	if strings.HasPrefix(d, "@") {
		from = 1
	}
	if i := strings.IndexByte(d[from:], '@'); i >= 0 {
		return d[:from+i]
	}
	return d
}

// yarnSource classifies a block: berry's resolution protocol when present, else classic's
// resolved URL; a block with neither (a berry workspace root) names no dependency.
func yarnSource(dir, name, resolved, resolution string) (string, Source) {
	if resolution != "" {
		return berrySource(dir, resolution)
	}
	if resolved == "" {
		return name, Source{}
	}
	if i := strings.IndexByte(resolved, '#'); i >= 0 && !isGitSpec(resolved) {
		resolved = resolved[:i]
	}
	return npmSpecSource(dir, name, resolved)
}

// berrySource classifies a berry resolution "<name>@<protocol>:<reference>".
func berrySource(dir, resolution string) (string, Source) {
	name := descriptorName(resolution)
	ref := strings.TrimPrefix(resolution[len(name):], "@")
	switch {
	case strings.HasPrefix(ref, "npm:"):
		return name, registry(registryNPM)
	case strings.HasPrefix(ref, "workspace:"):
		return name, pathSource(dir, strings.TrimPrefix(ref, "workspace:"))
	case strings.HasPrefix(ref, "patch:"):
		// patch:<inner descriptor, URL-encoded>#<patch file>: the package comes from the inner one.
		inner, _, _ := strings.Cut(strings.TrimPrefix(ref, "patch:"), "#")
		if decoded, err := url.QueryUnescape(inner); err == nil {
			inner = decoded
		}
		if descriptorName(inner) != inner && !strings.HasPrefix(inner[len(descriptorName(inner)):], "@patch:") {
			_, src := berrySource(dir, inner)
			return name, src
		}
		return name, registry(registryNPM)
	case strings.HasPrefix(ref, "portal:"), strings.HasPrefix(ref, "link:"), strings.HasPrefix(ref, "file:"):
		_, p, _ := strings.Cut(ref, ":")
		p, _, _ = strings.Cut(p, "::")
		return name, pathSource(dir, p)
	}
	return npmSpecSource(dir, name, ref)
}
