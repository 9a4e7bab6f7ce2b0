package sandbox

import (
	"path/filepath"
	"strings"
)

// expandHome turns "~" and "~/x" into absolute paths under home; other paths are cleaned.
func expandHome(p, home string) string {
	switch {
	case p == "~":
		return filepath.Clean(home)
	case strings.HasPrefix(p, "~/"):
		return filepath.Join(home, p[2:])
	default:
		return filepath.Clean(p)
	}
}

// bothForms renders each home-relative entry twice, as written and expanded, so every layer
// matches whether or not it expands "~" itself. Order is kept and duplicates dropped.
func bothForms(paths []string, home string) []string {
	out := make([]string, 0, 2*len(paths))
	for _, p := range paths {
		out = append(out, p)
		if strings.HasPrefix(p, "~/") {
			out = append(out, expandHome(p, home))
		}
	}
	return dedupe(out)
}

func dedupe(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := in[:0:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// within reports whether p is root or lies below it. Both must be clean absolute paths.
func within(p, root string) bool {
	if p == root || root == "/" {
		return true
	}
	return len(p) > len(root) && p[len(root)] == '/' && strings.HasPrefix(p, root)
}

// normalizePaths trims entries, drops blanks and duplicates, and requires each to be absolute
// or home-relative: a relative sandbox entry would silently mean a different place per layer.
func normalizePaths(field string, paths []string) ([]string, error) {
	out := make([]string, 0, len(paths))
	for i, raw := range paths {
		p := strings.TrimSpace(raw)
		if p == "" {
			continue
		}
		if p != "~" && !strings.HasPrefix(p, "~/") && !filepath.IsAbs(p) {
			return nil, errf(CodeInvalidPath, field, "entry %d %q must be absolute or start with ~/", i, raw)
		}
		if strings.ContainsAny(p, "\x00\n\r") {
			return nil, errf(CodeInvalidPath, field, "entry %d contains a control character", i)
		}
		if p != "~" && p != "/" {
			p = strings.TrimRight(p, "/")
		}
		out = append(out, p)
	}
	return dedupe(out), nil
}
