package sshworker

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"time"
)

// EnvSSHConfig names the environment variable whose file is passed to ssh as -F, so operators
// can give Symphony its own keys, known_hosts and jump hosts without touching ~/.ssh/config.
const EnvSSHConfig = "SYMPHONY_SSH_CONFIG"

// Transport is how Symphony runs ssh. The zero value of a duration field means "use the
// default below", never "no timeout": every connection must give up on a dead host.
type Transport struct {
	Binary              string        // ssh program; "ssh" when empty
	ConfigFile          string        // passed as -F when set; must be absolute
	ConnectTimeout      time.Duration // ssh ConnectTimeout
	ServerAliveInterval time.Duration // ssh ServerAliveInterval
	ServerAliveCountMax int           // ssh ServerAliveCountMax
}

// Defaults chosen so a silent host is noticed within about 45 seconds of going quiet.
const (
	DefaultConnectTimeout      = 10 * time.Second
	DefaultServerAliveInterval = 15 * time.Second
	DefaultServerAliveCountMax = 3
)

// TransportFromEnv builds the default transport, taking -F from SYMPHONY_SSH_CONFIG. A relative
// path is refused: ssh would resolve it against whatever directory the child happens to run in.
func TransportFromEnv(getenv func(string) string) (Transport, error) {
	cfg := getenv(EnvSSHConfig)
	if cfg != "" && !filepath.IsAbs(cfg) {
		return Transport{}, fmt.Errorf("%s must be an absolute path, got %q", EnvSSHConfig, cfg)
	}
	return Transport{ConfigFile: cfg}, nil
}

// Argv returns the full ssh command line that runs remote (quoted by CommandLine) on h:
//
//	ssh -T [-F cfg] -o BatchMode=yes -o ConnectTimeout=N -o ServerAliveInterval=N
//	    -o ServerAliveCountMax=N [forwards] [-p port] [user@]host -- '<arg>' '<arg>' ...
//
// -T because agents speak JSON over stdio and a pty would mangle it; BatchMode so a missing key
// fails at once (exit 255) instead of waiting on a password prompt nobody can answer; `--` so the
// command can never be read as more ssh options, which OpenSSH still parses after the host.
// Each forward adds its socket forwarding (SocketForward.args).
func (t Transport) Argv(h Host, remote []string, forwards ...SocketForward) ([]string, error) {
	if h.Name == "" {
		return nil, errors.New("ssh argv: host has no name")
	}
	if t.ConfigFile != "" && !filepath.IsAbs(t.ConfigFile) {
		return nil, fmt.Errorf("ssh argv: config file must be an absolute path, got %q", t.ConfigFile)
	}
	line, err := CommandLine(remote)
	if err != nil {
		return nil, fmt.Errorf("ssh argv for %s: %w", h, err)
	}
	bin := t.Binary
	if bin == "" {
		bin = "ssh"
	}
	argv := []string{bin, "-T"}
	if t.ConfigFile != "" {
		argv = append(argv, "-F", t.ConfigFile)
	}
	argv = append(argv,
		"-o", "BatchMode=yes",
		"-o", "ConnectTimeout="+seconds(t.ConnectTimeout, DefaultConnectTimeout),
		"-o", "ServerAliveInterval="+seconds(t.ServerAliveInterval, DefaultServerAliveInterval),
		"-o", "ServerAliveCountMax="+strconv.Itoa(orDefault(t.ServerAliveCountMax, DefaultServerAliveCountMax)),
	)
	for _, f := range forwards {
		args, err := f.args()
		if err != nil {
			return nil, fmt.Errorf("ssh argv for %s: %w", h, err)
		}
		argv = append(argv, args...)
	}
	if h.Port != 0 {
		argv = append(argv, "-p", strconv.Itoa(h.Port))
	}
	return append(argv, h.Destination(), "--", line), nil
}

// seconds renders d for ssh, which counts whole seconds; anything shorter rounds up to 1 so a
// small test value never becomes ssh's "0 = wait forever".
func seconds(d, def time.Duration) string {
	if d <= 0 {
		d = def
	}
	s := int((d + time.Second - 1) / time.Second)
	return strconv.Itoa(s)
}

func orDefault(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}
