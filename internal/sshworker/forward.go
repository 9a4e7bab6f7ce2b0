package sshworker

import (
	"fmt"
	"strings"
)

// SocketForward asks ssh to listen on the Unix socket Remote on the worker host for as long as
// the connection lasts and to carry each connection made there to the Unix socket Local on this
// machine (ssh -R remote:local). It is how a program on the host reaches a server of this
// process without any port being opened.
type SocketForward struct {
	Remote string
	Local  string
}

// MaxSocketPath is the longest socket path accepted at either end: a Unix socket address holds
// 104 bytes on the BSDs and macOS and 108 on Linux, both counting the terminating NUL.
const MaxSocketPath = 103

// args renders the forward for ssh:
//
//	-o ExitOnForwardFailure=yes -o StreamLocalBindUnlink=yes -R <remote>:<local>
//
// ExitOnForwardFailure turns a listener the host refuses into ssh's own exit 255 before the
// command runs, instead of a program that later cannot connect; StreamLocalBindUnlink replaces
// a stale socket file left by an earlier connection. Both paths are checked as remote paths
// and may not hold ':', which ssh reads as the separator.
func (f SocketForward) args() ([]string, error) {
	for _, p := range []struct{ what, path string }{{"remote", f.Remote}, {"local", f.Local}} {
		if err := ValidateRemotePath(p.path); err != nil {
			return nil, fmt.Errorf("%s socket of a forward: %w", p.what, err)
		}
		if strings.ContainsRune(p.path, ':') {
			return nil, fmt.Errorf("%s socket %q of a forward contains ':', which ssh -R reads as a separator", p.what, p.path)
		}
		if len(p.path) > MaxSocketPath {
			return nil, fmt.Errorf("%s socket %q of a forward is %d bytes, over the %d a Unix socket address holds", p.what, p.path, len(p.path), MaxSocketPath)
		}
	}
	return []string{"-o", "ExitOnForwardFailure=yes", "-o", "StreamLocalBindUnlink=yes", "-R", f.Remote + ":" + f.Local}, nil
}
