package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// runServe validates the configuration the service would run with. The scheduling loop is
// not part of this build yet, so it reports that plainly instead of pretending to run.
func runServe(cmd *cobra.Command, g *Globals) error {
	cfg, err := loadConfig(g, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	if missing := cfg.Unimplemented(); len(missing) > 0 {
		names := make([]string, len(missing))
		for i, f := range missing {
			names[i] = f.String()
		}
		return usageErr(fmt.Errorf("refusing to start: %s enables features this build does not implement:\n  %s\ndisable them to run", cfg.Path, strings.Join(names, "\n  ")))
	}
	printWarnings(cmd.ErrOrStderr(), cfg)
	logger, closeLog, err := g.Logger(cmd, cfg.Secrets())
	if err != nil {
		return err
	}
	defer closeLog()
	logger.Info("configuration loaded", "path", cfg.Path, "repositories", len(cfg.Repositories),
		"provider", cfg.Issues.Provider, "runtime", cfg.Agent.Runtime)
	fmt.Fprintf(cmd.OutOrStdout(), "configuration %s is valid (%d repositories, provider %s, runtime %s).\n"+
		"The scheduling loop is not in this build yet, so Symphony stops here without dispatching.\n",
		cfg.Path, len(cfg.Repositories), cfg.Issues.Provider, cfg.Agent.Runtime)
	return nil
}
