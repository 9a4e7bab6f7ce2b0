package cli

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/tools/mcpserver"
)

// shimDialTimeout bounds the connect to the session's server, which is local and already
// listening when an agent starts the shim.
const shimDialTimeout = 5 * time.Second

// newMCPShimCmd is the stdio MCP server an agent starts: it forwards its stdin and stdout
// to the session's tool server after presenting the session token. It is a subcommand of
// the same binary so nothing extra is installed where agents run.
func newMCPShimCmd(*Globals) *cobra.Command {
	var socket, tcp string
	cmd := &cobra.Command{
		Use:   "mcp-shim",
		Short: "Bridge an MCP client's stdio to a session's tool server (started by agents)",
		Long: "Connects to a session's tool server (--socket PATH or --tcp 127.0.0.1:PORT), presents\n" +
			"the token from " + mcpserver.TokenEnv + ", then copies stdin to the server and the\n" +
			"server's replies to stdout byte for byte until either side closes.",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runMCPShim(cmd.InOrStdin(), cmd.OutOrStdout(), socket, tcp, os.Getenv(mcpserver.TokenEnv))
		},
	}
	cmd.Flags().StringVar(&socket, "socket", "", "Unix socket path of the session's tool server")
	cmd.Flags().StringVar(&tcp, "tcp", "", "loopback address 127.0.0.1:PORT of the session's tool server")
	return cmd
}

func runMCPShim(stdin io.Reader, stdout io.Writer, socket, tcp, token string) error {
	network, address, err := shimAddress(socket, tcp)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if token == "" {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("mcp-shim: %s is not set; the session's token is required", mcpserver.TokenEnv)}
	}
	conn, err := net.DialTimeout(network, address, shimDialTimeout)
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("mcp-shim: cannot connect to %s %s: %w", network, address, err)}
	}
	defer conn.Close()
	if _, err := conn.Write(mcpserver.Preamble(token)); err != nil {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("mcp-shim: send token to %s %s: %w", network, address, err)}
	}
	go func() {
		io.Copy(conn, stdin)
		// Half-close so the server still answers what it has read, then closes its side.
		if hc, ok := conn.(interface{ CloseWrite() error }); ok {
			hc.CloseWrite()
		}
	}()
	if _, err := io.Copy(stdout, conn); err != nil && !errors.Is(err, net.ErrClosed) {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("mcp-shim: connection to %s %s: %w", network, address, err)}
	}
	return nil
}

// shimAddress checks that exactly one server address was given and that a TCP one is on
// loopback, where the token cannot leave the machine.
func shimAddress(socket, tcp string) (network, address string, err error) {
	switch {
	case socket != "" && tcp != "":
		return "", "", errors.New("mcp-shim: give --socket or --tcp, not both")
	case socket != "":
		return "unix", socket, nil
	case tcp != "":
		host, _, err := net.SplitHostPort(tcp)
		if err != nil {
			return "", "", fmt.Errorf("mcp-shim: --tcp %q: %w", tcp, err)
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return "", "", fmt.Errorf("mcp-shim: --tcp %q: the host must be a loopback address such as 127.0.0.1", tcp)
		}
		return "tcp", tcp, nil
	default:
		return "", "", errors.New("mcp-shim: --socket PATH or --tcp 127.0.0.1:PORT is required")
	}
}
