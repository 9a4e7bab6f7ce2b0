package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// commit is set at link time (-ldflags "-X .../internal/cli.commit=<sha>") when the build
// has no VCS stamp of its own.
var commit = ""

func newVersionCmd(*Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the module version and commit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			version, rev := buildVersion()
			fmt.Fprintf(cmd.OutOrStdout(), "symphony %s (commit %s)\n", version, rev)
			return nil
		},
	}
}

func buildVersion() (version, rev string) {
	version, rev = "(devel)", commit
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return version, orUnknown(rev)
	}
	if v := info.Main.Version; v != "" {
		version = v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && rev == "" {
			rev = s.Value
		}
	}
	return version, orUnknown(rev)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
