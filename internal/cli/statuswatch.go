package cli

import (
	"os"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/server"
	"github.com/symphony-go/symphony/internal/tui"
)

// terminalOut is the command's output when it is a terminal the live view can take over:
// both stdin (for q) and stdout must be terminals; otherwise `status --watch` keeps
// printing the plain view, which pipes and logs can read.
func terminalOut(cmd *cobra.Command) (*os.File, bool) {
	out, ok := cmd.OutOrStdout().(*os.File)
	if !ok || !term.IsTerminal(out.Fd()) {
		return nil, false
	}
	in, ok := cmd.InOrStdin().(*os.File)
	if !ok || !term.IsTerminal(in.Fd()) {
		return nil, false
	}
	return out, true
}

// watchLive runs the live terminal view against the service of the state root.
func watchLive(cmd *cobra.Command, g *Globals, out *os.File) error {
	// The dashboard link is shown only when the service has a TCP listener, which is when it
	// writes its control URL.
	url, _ := server.ReadControlURL(g.StateRoot())
	return tui.Run(cmd.Context(), tui.Options{
		Dial:         func() (*server.Client, error) { return server.Dial(g.StateRoot()) },
		DashboardURL: url,
		Input:        cmd.InOrStdin(),
		Output:       out,
		Color:        os.Getenv("NO_COLOR") == "",
		Environ:      os.Environ(),
	})
}
