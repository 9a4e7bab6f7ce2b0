package yamlschema

import "strings"

// Coded is a problem tagged with the stable error code the CLI, logs and API report
// (missing_symphony_file, invalid_repo_workflow_config, ...).
type Coded struct {
	Code string
	Problem
}

func (c Coded) String() string {
	return c.Code + ": " + c.Problem.String()
}

// Errors is every problem found in one load, in file order. It is an error value so loaders
// can return all of them at once.
type Errors []Coded

func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, c := range e {
		lines[i] = c.String()
	}
	return strings.Join(lines, "\n")
}

// WithCode tags plain problems with one code.
func WithCode(code string, problems []Problem) Errors {
	out := make(Errors, len(problems))
	for i, p := range problems {
		out[i] = Coded{Code: code, Problem: p}
	}
	return out
}
