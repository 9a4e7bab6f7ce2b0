package prompt

import (
	"errors"
	"fmt"
)

// Stable error codes; match them with errors.Is.
var (
	// ErrTemplateParse is a Liquid syntax error in WORKFLOW.md or a partial.
	ErrTemplateParse = errors.New("template_parse_error")
	// ErrTemplateRender is an unknown variable, filter or partial, or a failing expression.
	ErrTemplateRender = errors.New("template_render_error")
	// ErrProjectGuide is a project guide or `@path` import that was refused.
	ErrProjectGuide = errors.New("project_guide_error")
)

// TemplateError locates a template failure in the file an operator edits.
type TemplateError struct {
	Code error
	// Path and Line point into WORKFLOW.md (Line is 0 when unknown).
	Path string
	Line int
	// Partial names the partial the error happened in, with PartialLine inside it.
	Partial     string
	PartialLine int
	Msg         string
	Err         error
}

func (e *TemplateError) Error() string {
	where := e.Path
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.Path, e.Line)
	}
	if e.Partial != "" {
		where += fmt.Sprintf(" (in partial %q line %d)", e.Partial, e.PartialLine)
	}
	return fmt.Sprintf("%s: %s: %s", e.Code, where, e.Msg)
}

func (e *TemplateError) Unwrap() []error { return []error{e.Code, e.Err} }
