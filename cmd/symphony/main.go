// Command symphony runs the Symphony service and its operator commands.
package main

import (
	"os"

	"github.com/symphony-go/symphony/internal/agent/reaper"
	"github.com/symphony-go/symphony/internal/cli"
)

func main() {
	// A re-executed agent supervisor never gets here (package reaper/supervisor runs it from
	// its init); this records that agents started from now on run under one.
	reaper.Init()
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
