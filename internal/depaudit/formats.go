package depaudit

import (
	"fmt"
	"path"
	"strings"
)

// MaxFileBytes caps one manifest or lock file. The largest real lock files (a big
// monorepo's package-lock.json or pnpm-lock.yaml) are a few MiB; a bigger one is refused and
// holds the change rather than being read.
const MaxFileBytes = 16 << 20

// parser reads one manifest format. dir is the manifest's directory in the repository (for
// path dependencies); file names it in the dependencies it returns.
type parser func(dir, file string, data []byte) ([]Dependency, error)

// parserFor returns the parser for a repository path, or nil when the file is not a
// manifest or lock file the audit reads.
func parserFor(file string) parser {
	base := path.Base(file)
	switch base {
	case "go.mod":
		return parseGoMod
	case "go.sum":
		return parseGoSum
	case "package.json":
		return parsePackageJSON
	case "package-lock.json", "npm-shrinkwrap.json":
		return parsePackageLock
	case "pnpm-lock.yaml":
		return parsePNPMLock
	case "yarn.lock":
		return parseYarnLock
	case "Cargo.toml":
		return parseCargoToml
	case "Cargo.lock":
		return parseCargoLock
	case "pyproject.toml":
		return parsePyproject
	case "poetry.lock":
		return parsePoetryLock
	case "uv.lock":
		return parseUVLock
	case "Gemfile.lock", "gems.locked":
		return parseGemfileLock
	case ".npmrc":
		return parseNPMRC
	case ".yarnrc.yml", ".yarnrc":
		return parseYarnRC
	case "pip.conf", "pip.ini":
		return parsePipConf
	case "config.toml", "config":
		if path.Base(path.Dir(file)) == ".cargo" {
			return parseCargoConfig
		}
		return nil
	}
	if strings.HasPrefix(base, "requirements") && strings.HasSuffix(base, ".txt") {
		return parseRequirements
	}
	return nil
}

// parseFile parses one file's content, refusing it over MaxFileBytes.
func parseFile(file string, data []byte) ([]Dependency, error) {
	p := parserFor(file)
	if p == nil {
		return nil, fmt.Errorf("%s: not a manifest the dependency audit reads", file)
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("%s: %w (%d bytes, limit %d)", file, errTooLarge, len(data), MaxFileBytes)
	}
	dir := path.Dir(file)
	return p(dir, file, data)
}

// lineIndex finds the lines of dependencies in formats whose decoders do not report
// positions: it maps each trimmed line, and each JSON object key that starts a line, to the
// first line holding it, in one pass over the file.
type lineIndex struct {
	data    string
	text    map[string]int
	key     map[string]int
	tomlKey map[string]int
}

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{data: string(data), text: map[string]int{}, key: map[string]int{}, tomlKey: map[string]int{}}
	for n, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		if _, seen := idx.text[t]; !seen {
			idx.text[t] = n + 1
		}
		if rest, ok := strings.CutPrefix(t, `"`); ok {
			if end := strings.IndexByte(rest, '"'); end >= 0 {
				if _, seen := idx.key[rest[:end]]; !seen {
					idx.key[rest[:end]] = n + 1
				}
			}
		}
		// TOML: `name = ...`, `"name" = ...`, `name.workspace = true`.
		if left, _, ok := strings.Cut(t, "="); ok && !strings.HasPrefix(t, "[") {
			k := strings.TrimSpace(left)
			if unquoted := strings.Trim(k, `"'`); unquoted != k {
				k = unquoted
			} else {
				k, _, _ = strings.Cut(k, ".")
			}
			if _, seen := idx.tomlKey[k]; !seen {
				idx.tomlKey[k] = n + 1
			}
		}
	}
	return idx
}

// lineOfKey returns the first line starting with the JSON key k, or 0.
func (l lineIndex) lineOfKey(k string) int { return l.key[k] }

// lineOfText returns the first line whose trimmed text is t, or 0.
func (l lineIndex) lineOfText(t string) int { return l.text[t] }

// lineOfTOMLKey returns the first line assigning the TOML key k, or 0.
func (l lineIndex) lineOfTOMLKey(k string) int { return l.tomlKey[k] }

// lineOfSubstring returns the line of the first occurrence of s anywhere, or 0. It scans the
// file, so only small manifests use it.
func (l lineIndex) lineOfSubstring(s string) int {
	i := strings.Index(l.data, s)
	if s == "" || i < 0 {
		return 0
	}
	return strings.Count(l.data[:i], "\n") + 1
}
