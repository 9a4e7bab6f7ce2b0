package depaudit

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// parseRequirements lists a pip requirements file: packages come from the file's
// --index-url (pypi.org when it sets none); every --index-url, --extra-index-url and
// --find-links is a source of its own (listed under the option's name, since pip may take
// any package from an extra index); git+ URLs, -e paths and local paths are git and path
// sources. -r and -c name other files, which are audited when they change themselves.
func parseRequirements(dir, file string, data []byte) ([]Dependency, error) {
	type entry struct {
		text string
		line int
	}
	var entries []entry
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), MaxFileBytes)
	var pending strings.Builder
	start := 0
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if pending.Len() == 0 {
			start = n
		}
		if strings.HasSuffix(line, `\`) {
			pending.WriteString(strings.TrimSuffix(line, `\`))
			pending.WriteByte(' ')
			continue
		}
		pending.WriteString(line)
		entries = append(entries, entry{text: stripRequirementComment(pending.String()), line: start})
		pending.Reset()
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if pending.Len() > 0 {
		entries = append(entries, entry{text: stripRequirementComment(pending.String()), line: start})
	}

	index := registry(registryPyPI)
	var deps []Dependency
	var packages []entry
	for _, e := range entries {
		if e.text == "" {
			continue
		}
		if !strings.HasPrefix(e.text, "-") {
			packages = append(packages, e)
			continue
		}
		opt, arg := splitOption(e.text)
		switch opt {
		case "-i", "--index-url", "--extra-index-url", "-f", "--find-links":
			src, ok := registryURL(arg)
			if !ok {
				src = pathSource(dir, arg)
			}
			long := map[string]string{"-i": "--index-url", "-f": "--find-links"}[opt]
			if long == "" {
				long = opt
			}
			if long == "--index-url" {
				index = src
			}
			deps = append(deps, Dependency{Ecosystem: EcosystemPyPI, Package: long, Source: src, File: file, Line: e.line})
		case "-e", "--editable":
			deps = append(deps, editableRequirement(dir, file, arg, e.line))
		case "-r", "--requirement", "-c", "--constraint", "--trusted-host", "--no-index", "--pre",
			"--prefer-binary", "--require-hashes", "--only-binary", "--no-binary", "--use-feature":
		default:
			return nil, fmt.Errorf("%s:%d: unknown pip option %q", file, e.line, opt)
		}
	}
	for _, e := range packages {
		text, _, _ := strings.Cut(e.text, " --")
		if looksLikePath(text) {
			deps = append(deps, editableRequirement(dir, file, text, e.line))
			continue
		}
		name, src, ok := pep508Source(dir, text, index)
		if !ok {
			return nil, fmt.Errorf("%s:%d: cannot read the requirement %q", file, e.line, text)
		}
		deps = append(deps, Dependency{Ecosystem: EcosystemPyPI, Package: name, Source: src, File: file, Line: e.line})
	}
	return deps, nil
}

// editableRequirement classifies "-e <vcs url or path>" and bare paths or URLs.
func editableRequirement(dir, file, arg string, line int) Dependency {
	name := arg
	if _, frag, ok := strings.Cut(arg, "#egg="); ok {
		name, _, _ = strings.Cut(frag, "&")
		name = normalizePyName(name)
	}
	return Dependency{Ecosystem: EcosystemPyPI, Package: name, Source: pyURLSource(dir, arg), File: file, Line: line}
}

func looksLikePath(s string) bool {
	return strings.HasPrefix(s, ".") || strings.HasPrefix(s, "/") || strings.HasPrefix(s, "file:") ||
		strings.HasPrefix(s, "git+") || strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// splitOption splits "--opt=value", "--opt value" and "-ivalue".
func splitOption(s string) (opt, arg string) {
	if k, v, ok := strings.Cut(s, "="); ok && strings.HasPrefix(k, "--") && !strings.Contains(k, " ") {
		return k, strings.TrimSpace(v)
	}
	opt, arg, _ = strings.Cut(s, " ")
	if len(opt) > 2 && opt[1] != '-' {
		return opt[:2], strings.TrimSpace(opt[2:] + " " + arg)
	}
	return opt, strings.TrimSpace(arg)
}

// stripRequirementComment drops a "#" comment (at the start or after whitespace, so URL
// fragments such as #egg= survive) and surrounding space.
func stripRequirementComment(s string) string {
	if strings.HasPrefix(strings.TrimSpace(s), "#") {
		return ""
	}
	if i := strings.Index(s, " #"); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, "\t#"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}
