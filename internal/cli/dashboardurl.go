package cli

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/server"
)

// newDashboardCmd prints the running service's dashboard address. By default the address
// carries the control token in its fragment, which the page keeps in the tab and strips from
// the address bar, so the controls work on first open; the fragment never reaches a server
// or its logs.
func newDashboardCmd(g *Globals) *cobra.Command {
	var withoutToken bool
	cmd := &cobra.Command{
		Use:   "dashboard",
		Short: "Print the running service's dashboard URL, with the control token in its #fragment unless --no-token",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			root := g.StateRoot()
			url, err := server.ReadControlURL(root)
			if errors.Is(err, fs.ErrNotExist) {
				return failure(fmt.Errorf("the service for %s has no dashboard listener (state root %s): is it running with dashboard.enabled or --port? %s", g.ConfigPath, root, startHint(g)))
			}
			if err != nil {
				return failure(fmt.Errorf("dashboard URL: %w", err))
			}
			if withoutToken {
				fmt.Fprintln(cmd.OutOrStdout(), url+"/")
				return nil
			}
			token, err := server.ReadToken(root)
			if err != nil {
				return failure(err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), url+"/#token="+token)
			return nil
		},
	}
	cmd.Flags().BoolVar(&withoutToken, "no-token", false, "print the address alone; the page's controls then ask for the token")
	return cmd
}
