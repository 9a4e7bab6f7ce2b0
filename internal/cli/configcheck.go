package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/yamlschema"
)

// checkProblem is one problem `config check` reports, in text and in JSON alike.
type checkProblem struct {
	Code    string `json:"code"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Key     string `json:"key"`
	Message string `json:"message"`
}

// String renders "code: file:line:col: key: message", leaving out the parts that are unknown.
func (p checkProblem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc += ":" + strconv.Itoa(p.Line)
		if p.Column > 0 {
			loc += ":" + strconv.Itoa(p.Column)
		}
	}
	parts := ""
	for _, s := range []string{p.Code, loc, p.Key} {
		if s != "" {
			parts += s + ": "
		}
	}
	return parts + p.Message
}

// checkReport is the JSON form of `config check`.
type checkReport struct {
	Config    string                      `json:"config"`
	Valid     bool                        `json:"valid"`
	Problems  []checkProblem              `json:"problems"`
	Warnings  []string                    `json:"warnings"`
	Effective map[string]any              `json:"effective"`
	Resolved  []config.ResolvedRepository `json:"resolved"`
}

func newConfigCheckCmd(g *Globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Validate symphony.yml and every repository WORKFLOW.md, then print the effective config",
		Long: "Validates symphony.yml, each repository's WORKFLOW.md and its prompt templates in one\n" +
			"pass, reports every problem with its file, line and key, and prints the effective\n" +
			"configuration with secrets redacted. --json prints one object: problems (code, file,\n" +
			"line, column, key, message), warnings and the effective configuration.\n" +
			"Exit status: 0 valid (warnings allowed), 2 invalid.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rep, cfg := checkConfig(g.ConfigPath)
			if asJSON {
				if err := writeJSONOrFail(cmd.OutOrStdout(), rep); err != nil {
					return err
				}
			} else if err := printCheckReport(cmd.OutOrStdout(), cmd.ErrOrStderr(), rep, cfg); err != nil {
				return failure(err)
			}
			if !rep.Valid {
				return usageErr(fmt.Errorf("%d problem(s) in %s", len(rep.Problems), rep.Config))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as one JSON object")
	return cmd
}

// checkConfig loads the configuration and checks the prompt templates of every workflow that
// loaded, even when other files have problems, so one run lists every problem.
func checkConfig(path string) (checkReport, *config.Config) {
	rep := checkReport{Config: absPath(path), Problems: []checkProblem{}, Warnings: []string{}, Resolved: []config.ResolvedRepository{}}
	cfg, err := config.Check(path, os.LookupEnv)
	rep.Problems = append(rep.Problems, problemsOf(err)...)
	// An unknown agent.runtime is already among the problems; the templates cannot be rendered
	// for it.
	_, agentErr := prompt.AgentFor(runtimeOf(cfg))
	if cfg != nil && (err == nil || agentErr == nil) {
		for _, terr := range checkTemplates(cfg) {
			rep.Problems = append(rep.Problems, problemsOf(terr)...)
		}
	}
	rep.Valid = len(rep.Problems) == 0
	if !rep.Valid {
		return rep, nil
	}
	rep.Warnings = warnings(cfg)
	values, err := cfg.EffectiveValues()
	if err != nil {
		rep.Problems, rep.Valid = append(rep.Problems, checkProblem{File: rep.Config, Message: err.Error()}), false
		return rep, nil
	}
	rep.Effective, rep.Resolved = values, cfg.Resolved()
	return rep, cfg
}

func runtimeOf(cfg *config.Config) string {
	if cfg == nil {
		return ""
	}
	return cfg.Agent.Runtime
}

// problemsOf turns a load or template error into report entries.
func problemsOf(err error) []checkProblem {
	if err == nil {
		return nil
	}
	var coded yamlschema.Errors
	if errors.As(err, &coded) {
		out := make([]checkProblem, 0, len(coded))
		for _, c := range coded {
			out = append(out, checkProblem{Code: c.Code, File: c.File, Line: c.Line, Column: c.Col, Key: c.Path, Message: c.Msg})
		}
		return out
	}
	var te *prompt.TemplateError
	if errors.As(err, &te) {
		msg := te.Msg
		if te.Partial != "" {
			msg = fmt.Sprintf("%s (in partial %q line %d)", msg, te.Partial, te.PartialLine)
		}
		return []checkProblem{{Code: te.Code.Error(), File: te.Path, Line: te.Line, Message: msg}}
	}
	return []checkProblem{{Message: err.Error()}}
}

// printCheckReport writes problems and warnings to stderr and the effective configuration to
// stdout.
func printCheckReport(stdout, stderr io.Writer, rep checkReport, cfg *config.Config) error {
	for _, p := range rep.Problems {
		fmt.Fprintln(stderr, p)
	}
	if !rep.Valid {
		return nil
	}
	if err := cfg.WriteEffective(stdout); err != nil {
		return err
	}
	for _, w := range rep.Warnings {
		fmt.Fprintln(stderr, "warning:", w)
	}
	_, err := fmt.Fprintf(stdout, "# %s is valid (%d repositories)\n", cfg.Path, len(cfg.Repositories))
	return err
}

// warnings lists valid-but-notable settings.
func warnings(cfg *config.Config) []string {
	return append([]string{}, cfg.Warnings()...)
}
