package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/yamlschema"
)

func newConfigCmd(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Inspect the operator configuration",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "check",
		Short: "Validate symphony.yml and every repository WORKFLOW.md, then print the effective config",
		Long: "Validates symphony.yml and each repository's WORKFLOW.md, reports every problem with its\n" +
			"file, line and key, and prints the effective configuration with secrets redacted.\n" +
			"Exit status: 0 valid (warnings allowed), 2 invalid.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(g, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if broken := checkTemplates(cfg); len(broken) > 0 {
				for _, e := range broken {
					fmt.Fprintln(cmd.ErrOrStderr(), e)
				}
				return usageErr(fmt.Errorf("%d prompt template problem(s)", len(broken)))
			}
			out := cmd.OutOrStdout()
			if err := cfg.WriteEffective(out); err != nil {
				return failure(err)
			}
			printWarnings(cmd.ErrOrStderr(), cfg)
			fmt.Fprintf(out, "# %s is valid (%d repositories)\n", cfg.Path, len(cfg.Repositories))
			return nil
		},
	})
	return cmd
}

// loadConfig loads --config and, on failure, prints one line per problem and returns a
// usage error (exit 2).
func loadConfig(g *Globals, stderr io.Writer) (*config.Config, error) {
	cfg, err := config.Load(g.ConfigPath)
	if err != nil {
		return nil, reportProblems(stderr, err, "configuration problem(s)", g.ConfigPath)
	}
	return cfg, nil
}

// reportProblems prints one line per problem of a load error and returns a usage error
// (exit 2) counting them.
func reportProblems(stderr io.Writer, err error, what, path string) error {
	var problems yamlschema.Errors
	if errors.As(err, &problems) {
		for _, p := range problems {
			fmt.Fprintln(stderr, p.String())
		}
		return usageErr(fmt.Errorf("%d %s in %s", len(problems), what, path))
	}
	return usageErr(err)
}

// printWarnings lists valid-but-notable settings and features this build cannot run yet.
func printWarnings(w io.Writer, cfg *config.Config) {
	for _, msg := range cfg.Warnings() {
		fmt.Fprintln(w, "warning:", msg)
	}
	for _, f := range cfg.Unimplemented() {
		fmt.Fprintf(w, "warning: not yet implemented: %s\n", f)
	}
}

// checkTemplates renders every repository's issue and PR prompt templates against sample data,
// so an unknown variable, filter or partial is reported now, with its WORKFLOW.md line,
// instead of failing the first run that uses it.
func checkTemplates(cfg *config.Config) []error {
	agent, err := prompt.AgentFor(cfg.Agent.Runtime)
	if err != nil {
		return []error{err}
	}
	var broken []error
	issueTemplates := orchestrator.TemplatesFromConfig(cfg)
	for _, r := range cfg.Repositories {
		tpl, ok := issueTemplates[r.Key]
		if !ok {
			continue
		}
		if err := prompt.Check(prompt.ModeIssue, agent, tpl); err != nil {
			broken = append(broken, err)
		}
		if r.Loaded.PRPrompt != "" {
			pr := prompt.Template{Source: r.Loaded.PRPrompt, Path: tpl.Path, Line: r.Loaded.PRPromptLine, PartialsDir: tpl.PartialsDir}
			if err := prompt.Check(prompt.ModePR, agent, pr); err != nil {
				broken = append(broken, err)
			}
		}
	}
	return broken
}
