package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/config"
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
