// Command symphony runs the Symphony service and its operator commands.
package main

import (
	"os"

	"github.com/symphony-go/symphony/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
