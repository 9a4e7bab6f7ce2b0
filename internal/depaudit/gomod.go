package depaudit

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/mod/modfile"
)

// parseGoMod lists go.mod's requirements by module path and its replace directives: a
// replacement by a local directory is a path source, one by another module names that
// module as the source of the replaced one.
func parseGoMod(dir, file string, data []byte) ([]Dependency, error) {
	f, err := modfile.Parse(file, data, nil)
	if err != nil {
		return nil, err
	}
	var deps []Dependency
	for _, r := range f.Require {
		deps = append(deps, Dependency{Ecosystem: EcosystemGo, Package: r.Mod.Path,
			Source: registry(r.Mod.Path), File: file, Line: startLine(r.Syntax)})
	}
	for _, r := range f.Replace {
		src := registry(r.New.Path)
		if modfile.IsDirectoryPath(r.New.Path) {
			src = pathSource(dir, r.New.Path)
		}
		deps = append(deps, Dependency{Ecosystem: EcosystemGo, Package: r.Old.Path, Source: src, File: file, Line: startLine(r.Syntax)})
	}
	return deps, nil
}

func startLine(l *modfile.Line) int {
	if l == nil {
		return 0
	}
	return l.Start.Line
}

// parseGoSum lists every module go.sum holds a checksum for, transitive ones included.
func parseGoSum(_, file string, data []byte) ([]Dependency, error) {
	var deps []Dependency
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), MaxFileBytes)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 {
			return nil, fmt.Errorf("%s:%d: want \"module version hash\", got %d fields", file, n, len(fields))
		}
		if mod := fields[0]; !seen[mod] {
			seen[mod] = true
			deps = append(deps, Dependency{Ecosystem: EcosystemGo, Package: mod, Source: registry(mod), File: file, Line: n})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return deps, nil
}
