// Package cli builds Symphony's command tree: one file per command, all sharing the global
// flags and the exit-code contract (0 ok, 1 runtime failure, 2 configuration or usage error).
package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Main runs the command line and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	g := &Globals{}
	root := newRootCmd(g)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintln(stderr, "symphony:", ee.Err)
		}
		return ee.Code
	}
	// Anything cobra itself rejects (unknown flag or command, wrong arity) is a usage error.
	fmt.Fprintln(stderr, "symphony:", err)
	return ExitUsage
}

func newRootCmd(g *Globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "symphony",
		Short: "Run coding agents on tracker issues, one isolated workspace each",
		Long: "Symphony polls an issue tracker, gives each active issue its own workspace and runs a\n" +
			"coding agent there until the work is ready for review.\n\n" +
			"Without a subcommand it starts the service using --config (default ./symphony.yml).",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			g.portSet, g.serving = cmd.Flags().Changed("port"), true
			return runServe(cmd, g)
		},
	}
	g.bind(root)
	g.bindServiceFlags(root)
	g.bindServe(root)
	for _, build := range commands {
		root.AddCommand(build(g))
	}
	return root
}

// commands lists every subcommand constructor; each lives in its own file.
var commands = []func(*Globals) *cobra.Command{
	newVersionCmd,
	newInitCmd,
	newConfigCmd,
	newWorkspacesCmd,
	newWorkflowCmd,
	newIssuesCmd,
	newSandboxCmd,
	newAuditCmd,
	newRunsCmd,
	newLearningsCmd,
	newRunCmd,
	newPRCmd,
	newDoctorCmd,
	newMCPShimCmd,
	newApproveDepsCmd,
	newStatusCmd,
	newPauseCmd,
	newResumeCmd,
	newStopCmd,
	newUnstopCmd,
	newRefreshCmd,
	newDashboardCmd,
}
