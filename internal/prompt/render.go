package prompt

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/osteele/liquid"
)

// liquidError is what the engine returns for parse and render failures.
type liquidError interface {
	error
	Path() string
	LineNumber() int
}

// render parses and renders t strictly: an unknown variable, property, filter or partial is
// an error that names the WORKFLOW.md line.
func render(t Template, vars map[string]any, tools []string) (string, error) {
	if err := checkRepoPartials(t.PartialsDir); err != nil {
		return "", &TemplateError{Code: ErrTemplateRender, Path: t.Path, Msg: err.Error(), Err: err}
	}
	engine := liquid.NewEngine()
	engine.StrictVariables()
	engine.RegisterTemplateStore(partialStore{repoDir: t.PartialsDir, tools: tools})
	// An empty location name makes the engine quote the failing source text in its messages
	// ("undefined variable in {{ issue.titel }}") instead of repeating the file name.
	tpl, perr := engine.ParseTemplateLocation([]byte(t.Source), "", max(t.Line, 1))
	if perr != nil {
		return "", locate(ErrTemplateParse, t, perr)
	}
	out, rerr := tpl.RenderString(vars)
	if rerr != nil {
		return "", locate(ErrTemplateRender, t, rerr)
	}
	return out, nil
}

var liquidPrefix = regexp.MustCompile(`^Liquid error(?: \(line \d+\))?: `)

func locate(code error, t Template, err liquidError) *TemplateError {
	msg := liquidPrefix.ReplaceAllString(err.Error(), "")
	te := &TemplateError{Code: code, Path: t.Path, Err: err}
	if partial := err.Path(); partial != "" {
		te.Partial, te.PartialLine = partial, err.LineNumber()
		msg = strings.TrimSuffix(msg, " in "+partial)
		lines := renderLines(t, partial)
		if len(lines) > 0 {
			te.Line = lines[0]
		}
		if len(lines) > 1 {
			msg += fmt.Sprintf(" (the partial is rendered from lines %s)", joinInts(lines))
		}
		msg += partialHint(partial)
	} else {
		te.Line = err.LineNumber()
	}
	te.Msg = msg
	return te
}

// partialHint reminds the author that a partial sees only what the render tag passes.
func partialHint(name string) string {
	for _, p := range Partials {
		if p.Name == name && len(p.Vars) > 0 {
			args := make([]string, len(p.Vars))
			for i, v := range p.Vars {
				args[i] = v + ": " + v
			}
			return fmt.Sprintf("; partials see only the variables passed to them, e.g. {%% render %q, %s %%}", name, strings.Join(args, ", "))
		}
	}
	return ""
}

// renderLines finds the file lines of the template's `{% render %}` tags for a partial, so an
// error inside a partial still points at the line the operator wrote.
func renderLines(t Template, partial string) []int {
	re := regexp.MustCompile(`\{%-?\s*render\s+["']` + regexp.QuoteMeta(partial) + `["']`)
	var lines []int
	for _, m := range re.FindAllStringIndex(t.Source, -1) {
		lines = append(lines, max(t.Line, 1)+strings.Count(t.Source[:m[0]], "\n"))
	}
	return lines
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ", ")
}
