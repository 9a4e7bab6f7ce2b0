package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/doctor"
)

func newDoctorCmd(g *Globals) *cobra.Command {
	var asJSON bool
	timeout := doctor.DefaultTimeout
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the agent, its credentials, tools, tracker, roots and disk, each with its fix",
		Long: "doctor runs the checks the service runs when it starts, concurrently and within\n" +
			"--timeout, and prints one line per check: ok, warn or fail, the check, what it found\n" +
			"and, when something is wrong, the exact fix. It changes nothing.\n" +
			"Exit status: 0 every check ok or warn, 1 a check failed, 2 configuration or usage error.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if timeout <= 0 {
				return usageErr(fmt.Errorf("--timeout must be positive, got %s", timeout))
			}
			cfg, err := loadConfig(g, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if err := refuseUnrunnableRuntime(cfg); err != nil {
				return err
			}
			printWarnings(cmd.ErrOrStderr(), cfg)
			results := doctor.Run(cmd.Context(), doctor.Checks(doctorOptions(cfg, g)), timeout)
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(results); err != nil {
					return failure(err)
				}
			} else {
				for _, r := range results {
					fmt.Fprintln(out, r.Line())
				}
			}
			if doctor.Failed(results) {
				return &ExitError{Code: ExitFailure}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the results as a JSON array of {check, status, detail, fix}")
	cmd.Flags().DurationVar(&timeout, "timeout", timeout, "bound on all checks together")
	return cmd
}
