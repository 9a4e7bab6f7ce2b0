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
	cmd.AddCommand(newConfigCheckCmd(g), newConfigSchemaCmd())
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
	for _, msg := range warnings(cfg) {
		fmt.Fprintln(w, "warning:", msg)
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

func newConfigSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema (draft 2020-12) of symphony.yml, for editors",
		Long: "Prints a JSON Schema of symphony.yml generated from the typed configuration this binary\n" +
			"loads, with the descriptions its code carries. Save it and point your editor at it, e.g.\n" +
			"with a first line `# yaml-language-server: $schema=./symphony.schema.json` for the YAML\n" +
			"language server (VS Code's YAML extension). The schema checks keys and types; value\n" +
			"rules (ranges, paths, cross-key rules) are `symphony config check`'s.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			schema, err := config.JSONSchema()
			if err != nil {
				return failure(err)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", schema)
			return err
		},
	}
}
