package prompt

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

//go:embed partials/*.liquid
var builtinFS embed.FS

// PartialInfo describes one built-in partial; docs/playbook.md lists the same catalogue.
type PartialInfo struct {
	Name        string
	Vars        []string
	Description string
}

// Partials is the catalogue of built-in partials for `{% render "<name>" %}`.
var Partials = []PartialInfo{
	{"ci_triage", nil, "How to investigate and fix a failing CI check without weakening it."},
	{"completion_bar", nil, "What must hold before an issue moves to In Review."},
	{"continuation_context", []string{"attempt"}, "Guidance for a session restarted while the issue is still active; empty on the first attempt."},
	{"default_posture", nil, "How an unattended session works: decide, record, plan, and know when to stop."},
	{"dependency_guardrail", []string{"lockfile"}, "Justify dependency changes and keep the lock file diff to this issue."},
	{"escape_hatches", nil, "When and how to stop for missing access or an unanswerable question."},
	{"guardrails", nil, "Workspace, secret, remote and scope rules for an issue run."},
	{"issue_context", []string{"issue"}, "The issue's fields, description, blockers, recent comments and related issues."},
	{"out_of_scope_backlog", nil, "Record worthwhile unrelated improvements as separate backlog issues."},
	{"pr_feedback_sweep", nil, "Go through every pull-request feedback channel before handoff."},
	{"reproduce_and_blast_radius", nil, "Record a reproduction and the blast radius before the first edit."},
	{"scoped_tools", nil, "The scoped tools this session has, by name, to use instead of raw access."},
	{"status_map", nil, "What each tracker state means for the agent."},
	{"workpad_bootstrap", []string{"agent"}, "Find, reuse or create the single workpad comment and bring it up to date."},
	{"workpad_template", []string{"agent"}, "The layout of the workpad comment."},
}

// generatedPartials are built-in partials whose text Symphony writes per session instead of
// embedding: scoped_tools names the tools the session really has.
var generatedPartials = map[string]func(p partialStore) string{
	"scoped_tools": func(p partialStore) string { return scopedToolsPartial(p.tools) },
}

// RepoPartialsDir is where a repository keeps its own partials, relative to WORKFLOW.md's
// directory: `<dir>/.symphony/partials/<name>.liquid`.
const RepoPartialsDir = ".symphony/partials"

var partialName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_-]*$`)

// errUnknownPartial marks a render of a name that is neither built in nor in the repo.
var errUnknownPartial = errors.New("unknown partial")

// partialStore serves partials to the Liquid engine: built-ins first, then the repository's
// directory. A repository partial may not reuse a built-in name, so a shared name always
// means the same text.
type partialStore struct {
	repoDir string
	// tools are the session's scoped tool names, which the scoped_tools partial lists.
	tools []string
}

func (p partialStore) ReadTemplate(filename string) ([]byte, error) {
	// The engine joins the name onto the directory of the including template; every template
	// here is rooted at ".", so anything with a directory part is not a partial name.
	name := filepath.ToSlash(filepath.Clean(filename))
	if !partialName.MatchString(name) {
		return nil, fmt.Errorf("%w %q: names are letters, digits, '_' and '-' only", errUnknownPartial, filename)
	}
	if generate, ok := generatedPartials[name]; ok {
		return []byte(generate(p)), nil
	}
	// A partial file ends in a newline; the line holding the render tag supplies its own.
	if b, err := builtinFS.ReadFile("partials/" + name + ".liquid"); err == nil {
		return bytes.TrimRight(b, "\n"), nil
	}
	if p.repoDir == "" {
		return nil, fmt.Errorf("%w %q (built-in partials: %s)", errUnknownPartial, name, partialNames())
	}
	root, err := os.OpenRoot(p.repoDir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w %q: not built in, and %s does not exist", errUnknownPartial, name, p.repoDir)
		}
		return nil, fmt.Errorf("open repository partials %s: %w", p.repoDir, err)
	}
	defer root.Close()
	b, err := root.ReadFile(name + ".liquid")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w %q: not built in and no %s", errUnknownPartial, name, filepath.Join(p.repoDir, name+".liquid"))
	}
	if err != nil {
		return nil, fmt.Errorf("read repository partial %q: %w", name, err)
	}
	return bytes.TrimRight(b, "\n"), nil
}

// checkRepoPartials rejects repository partials that would shadow a built-in.
func checkRepoPartials(dir string) error {
	if dir == "" {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read repository partials %s: %w", dir, err)
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".liquid")
		if !ok {
			continue
		}
		_, generated := generatedPartials[name]
		if _, err := builtinFS.ReadFile("partials/" + e.Name()); err == nil || generated {
			return fmt.Errorf("repository partial %s reuses the built-in name %q; rename it", filepath.Join(dir, e.Name()), name)
		}
	}
	return nil
}

func partialNames() string {
	names := make([]string, len(Partials))
	for i, p := range Partials {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}
