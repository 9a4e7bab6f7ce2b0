// Command symphony runs the Symphony service and its operator commands.
package main

import (
	"os"

	"github.com/symphony-go/symphony/internal/agent/reaper"
	"github.com/symphony-go/symphony/internal/cli"
)

func main() {
	// First, before anything else runs: a re-executed agent supervisor must not start the CLI.
	reaper.Init()
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
