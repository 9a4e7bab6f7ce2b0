package prompt

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// GuideOptions controls the "## Project conventions" section built from workspace files.
type GuideOptions struct {
	Enabled bool
	// Files are workspace-relative guide paths; nil means the agent's defaults.
	Files []string
}

// DefaultGuideFiles is the guide list used when none is configured: Claude Code reads
// CLAUDE.md on its own conventions, Codex has no such file.
func DefaultGuideFiles(agentKind string) []string {
	if agentKind == "claude" {
		return []string{"CLAUDE.md"}
	}
	return nil
}

// Bounds on what guides may pull in, so a repository cannot flood the prompt.
const (
	maxGuideDepth = 5
	maxGuideFiles = 20
	maxGuideBytes = 64 << 10
)

var importLine = regexp.MustCompile(`^[ \t]*@([^\s@]+)[ \t]*$`)

// projectConventions reads the guide files from the workspace, expanding whole-line `@path`
// imports relative to the importing file. Missing guides are skipped. Imports that are
// absolute, home-relative, leave the workspace (by `..` or by symlink) or break a bound are
// refused with ErrProjectGuide.
func projectConventions(workspace string, files []string) (string, error) {
	if workspace == "" || len(files) == 0 {
		return "", nil
	}
	root, err := os.OpenRoot(workspace)
	if err != nil {
		return "", fmt.Errorf("%w: open workspace %s: %w", ErrProjectGuide, workspace, err)
	}
	defer root.Close()
	g := &guideReader{root: root, seen: map[string]bool{}}
	var sections []string
	for _, f := range files {
		rel, err := localPath(f, ".")
		if err != nil {
			return "", fmt.Errorf("%w: guide file %q: %w", ErrProjectGuide, f, err)
		}
		if g.seen[rel] {
			continue
		}
		text, found, err := g.read(rel, 0)
		if err != nil {
			return "", err
		}
		if found {
			sections = append(sections, "### "+rel+"\n\n"+strings.TrimSpace(text))
		}
	}
	if len(sections) == 0 {
		return "", nil
	}
	return "## Project conventions\n\n" + strings.Join(sections, "\n\n"), nil
}

type guideReader struct {
	root  *os.Root
	seen  map[string]bool
	files int
	bytes int
}

func (g *guideReader) read(rel string, depth int) (string, bool, error) {
	if depth > maxGuideDepth {
		return "", false, fmt.Errorf("%w: %s: imports nest deeper than %d levels", ErrProjectGuide, rel, maxGuideDepth)
	}
	data, err := g.readBounded(rel)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("%w: %s: %w", ErrProjectGuide, rel, err)
	}
	g.seen[rel] = true
	g.files++
	g.bytes += len(data)
	if g.files > maxGuideFiles {
		return "", false, fmt.Errorf("%w: %s: more than %d guide files", ErrProjectGuide, rel, maxGuideFiles)
	}
	if g.bytes > maxGuideBytes {
		return "", false, fmt.Errorf("%w: %s: guides exceed %d bytes", ErrProjectGuide, rel, maxGuideBytes)
	}
	var out strings.Builder
	var fence rune
	fenceWidth := 0
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if c, w := fenceOpener(line); w > 0 && (fenceWidth == 0 || (c == fence && w >= fenceWidth)) {
			if fenceWidth == 0 {
				fence, fenceWidth = c, w
			} else {
				fenceWidth = 0
			}
		}
		m := importLine.FindStringSubmatch(strings.TrimRight(line, "\r\n"))
		if fenceWidth > 0 || m == nil {
			out.WriteString(line)
			continue
		}
		expanded, err := g.expand(rel, m[1], depth)
		if err != nil {
			return "", false, err
		}
		out.WriteString(expanded + "\n")
	}
	return out.String(), true, nil
}

// readBounded reads at most one byte more than the guide budget has left, so an oversized
// file in the workspace is refused without being loaded whole.
func (g *guideReader) readBounded(rel string) ([]byte, error) {
	f, err := g.root.Open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, int64(maxGuideBytes-g.bytes)+1))
}

func (g *guideReader) expand(from, target string, depth int) (string, error) {
	rel, err := localPath(target, path.Dir(from))
	if err != nil {
		return "", fmt.Errorf("%w: %s imports %q: %w", ErrProjectGuide, from, target, err)
	}
	if g.seen[rel] {
		return fmt.Sprintf("(%s is already included above)", rel), nil
	}
	text, found, err := g.read(rel, depth+1)
	if err != nil {
		return "", err
	}
	if !found {
		return fmt.Sprintf("(imported file %s was not found)", rel), nil
	}
	return strings.TrimRight(text, "\n"), nil
}

// localPath resolves p against dir (both slash-separated, workspace-relative) and refuses
// anything that is not a plain path inside the workspace.
func localPath(p, dir string) (string, error) {
	switch {
	case p == "":
		return "", errors.New("empty path")
	case strings.HasPrefix(p, "~"):
		return "", errors.New("home-relative paths are not allowed")
	case path.IsAbs(p) || filepath.IsAbs(p) || filepath.VolumeName(p) != "":
		return "", errors.New("absolute paths are not allowed")
	}
	joined := path.Join(dir, filepath.ToSlash(p))
	if !filepath.IsLocal(joined) {
		return "", errors.New("the path leaves the workspace")
	}
	return joined, nil
}
