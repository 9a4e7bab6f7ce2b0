// Package workflow reads a repository's WORKFLOW.md: the YAML front matter between `---`
// lines (repo-local hooks, prompts, verification and validation settings) and the Markdown
// body that is the issue prompt template. It keeps line numbers so template and settings
// errors point at lines of the file the operator edits.
package workflow

import (
	"errors"
	"io/fs"
	"os"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/symphony-go/symphony/internal/yamlschema"
)

// Error codes for WORKFLOW.md problems (SPEC §5.6).
const (
	CodeMissingFile        = "missing_workflow_file"
	CodeParseError         = "workflow_parse_error"
	CodeFrontMatterNotAMap = "workflow_front_matter_not_a_map"
	CodeInvalidConfig      = "invalid_repo_workflow_config"
)

// Workflow is one parsed WORKFLOW.md.
type Workflow struct {
	Path string
	// PromptTemplate is the issue prompt: `prompts.issue` when set, else the trimmed body.
	PromptTemplate string
	// PromptLine is the 1-based file line where PromptTemplate's first line sits.
	PromptLine int
	// PRPrompt is `prompts.pr`, empty when absent.
	PRPrompt     string
	PRPromptLine int
	// IncludeLearnings is prompts.include_learnings: how many stored learnings of the
	// repository its first prompts carry.
	IncludeLearnings int
	// frontMatter is the parsed YAML block, nil when the file has none.
	frontMatter ast.Node
}

// Load reads and parses path.
func Load(path string) (*Workflow, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		msg := err.Error()
		if errors.Is(err, fs.ErrNotExist) {
			msg = "file does not exist"
		}
		return nil, yamlschema.Errors{{Code: CodeMissingFile, Problem: yamlschema.Problem{File: path, Msg: "cannot read WORKFLOW.md: " + msg}}}
	}
	return Parse(path, data)
}

// Parse splits data into front matter and body and checks the front matter is a YAML map.
// Settings inside it are checked by Decode.
func Parse(path string, data []byte) (*Workflow, error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.TrimPrefix(text, "\ufeff")
	front, body, bodyStart, err := split(path, text)
	if err != nil {
		return nil, err
	}
	w := &Workflow{Path: path}
	if front != nil {
		node, problem := yamlschema.Parse(path, []byte(*front), 1, CodeParseError)
		if problem != nil {
			return nil, yamlschema.Errors{*problem}
		}
		if node != nil {
			switch node.(type) {
			case *ast.MappingNode, *ast.MappingValueNode:
			default:
				line := 2
				if tok := node.GetToken(); tok != nil && tok.Position != nil {
					line = tok.Position.Line
				}
				return nil, yamlschema.Errors{{Code: CodeFrontMatterNotAMap, Problem: yamlschema.Problem{
					File: path, Line: line, Msg: "front matter must be a YAML mapping of keys to values"}}}
			}
		}
		w.frontMatter = node
	}
	trimmed, lead := trimWithLeadingLines(body)
	w.PromptTemplate, w.PromptLine = trimmed, bodyStart+lead
	return w, nil
}

// split separates the front matter (nil when absent) from the body and returns the file line
// on which the body starts.
func split(path, text string) (front *string, body string, bodyStart int, err error) {
	lines := strings.Split(text, "\n")
	if len(lines) == 0 || strings.TrimRight(lines[0], " \t") != "---" {
		return nil, text, 1, nil
	}
	for i := 1; i < len(lines); i++ {
		if strings.TrimRight(lines[i], " \t") == "---" {
			fm := strings.Join(lines[1:i], "\n")
			return &fm, strings.Join(lines[i+1:], "\n"), i + 2, nil
		}
	}
	return nil, "", 0, yamlschema.Errors{{Code: CodeParseError, Problem: yamlschema.Problem{
		File: path, Line: 1, Msg: "front matter opened by `---` on line 1 is never closed by another `---` line"}}}
}

// trimWithLeadingLines trims surrounding white space and reports how many whole lines the
// leading part removed, so the template keeps its file line numbers.
func trimWithLeadingLines(s string) (string, int) {
	trimmedLeft := strings.TrimLeft(s, " \t\n")
	removed := s[:len(s)-len(trimmedLeft)]
	return strings.TrimRight(trimmedLeft, " \t\n"), strings.Count(removed, "\n")
}

// Decode decodes the front matter over base (the operator's settings for this repo, with
// defaults) and validates it, returning the merged settings. Prompt overrides found there
// are recorded on w.
func (w *Workflow) Decode(base Settings) (Settings, error) {
	out := base.clone()
	var fm frontMatter
	fm.Hooks = out.Hooks
	fm.Verification = out.Verification
	problems := yamlschema.Decode(w.Path, w.frontMatter, &fm)
	out.Hooks, out.Verification, out.Validation = fm.Hooks, fm.Verification, fm.Validation
	semantic := append(out.validate(w.Path), fm.Prompts.validate(w.Path)...)
	yamlschema.Fill(w.frontMatter, semantic)
	problems = append(problems, semantic...)
	if fm.Prompts.Issue != nil {
		w.PromptTemplate, w.PromptLine = strings.TrimSpace(fm.Prompts.Issue.text), fm.Prompts.Issue.line
	}
	if fm.Prompts.PR != nil {
		w.PRPrompt, w.PRPromptLine = strings.TrimSpace(fm.Prompts.PR.text), fm.Prompts.PR.line
	}
	w.IncludeLearnings = fm.Prompts.IncludeLearnings
	if len(problems) > 0 {
		return base, yamlschema.WithCode(CodeInvalidConfig, problems)
	}
	return out, nil
}
