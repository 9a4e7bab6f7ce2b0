package config

import (
	"fmt"

	"github.com/symphony-go/symphony/internal/sshworker"
)

// validateSSHHosts refuses entries ssh would misread (an unbracketed IPv6 address, a bad port,
// a name starting with -) and duplicates, each at its own list line.
func (l *loader) validateSSHHosts() {
	_, errs := sshworker.ParseHosts(l.cfg.Workers.SSHHosts)
	for _, e := range errs {
		l.bad(fmt.Sprintf("workers.ssh_hosts[%d]", e.Index), e.Err.Error())
	}
}

// checkRemoteRoot runs before workspaces.root is resolved: with SSH workers the root names a
// directory on every worker host, so ~ or a relative path would be expanded against this
// machine instead (SPEC §5.4.3), and the value reaches remote command lines.
func (l *loader) checkRemoteRoot() {
	if len(l.cfg.Workers.SSHHosts) == 0 {
		return
	}
	root := l.resolveVar(l.cfg.Workspaces.Root)
	if root == "" {
		return // reported as missing by validation
	}
	if err := sshworker.ValidateRemotePath(root); err != nil {
		l.bad("workspaces.root", "with workers.ssh_hosts this is a directory on the worker hosts and must be a plain absolute path: "+err.Error())
	}
}
