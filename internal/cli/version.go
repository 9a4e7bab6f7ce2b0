package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version and commit are stamped at link time by scripts/build
// (-ldflags "-X .../internal/cli.version=<git describe> -X .../internal/cli.commit=<sha>").
// An unstamped build falls back to what the Go toolchain recorded.
var (
	version = ""
	commit  = ""
)

func newVersionCmd(*Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and commit this binary was built from",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, rev := buildVersion(version, commit, debug.ReadBuildInfo)
			fmt.Fprintf(cmd.OutOrStdout(), "symphony %s (commit %s)\n", v, rev)
			return nil
		},
	}
}

// buildVersion prefers the link-time stamps, then the module version and the VCS settings the
// toolchain records (vcs.revision, vcs.modified), then "(devel)" and "unknown".
func buildVersion(stampedVersion, stampedCommit string, readInfo func() (*debug.BuildInfo, bool)) (string, string) {
	v, rev := stampedVersion, stampedCommit
	info, ok := readInfo()
	if ok {
		settings := map[string]string{}
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
		if rev == "" {
			rev = settings["vcs.revision"]
		}
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		if v == "" && settings["vcs.revision"] != "" {
			v = shortRevision(settings["vcs.revision"])
			if settings["vcs.modified"] == "true" {
				v += "-dirty"
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	if rev == "" {
		rev = "unknown"
	}
	return v, rev
}

func shortRevision(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
