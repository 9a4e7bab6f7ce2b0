// Package sshworker holds the pieces Symphony needs to run agents on worker hosts reached over
// the system's OpenSSH client: parsing `workers.ssh_hosts` entries, quoting remote command lines
// so no issue identifier, branch name or path can inject into the remote shell, building the ssh
// argv, the remote scripts that prepare and remove workspaces and kill a remote agent's process
// group, and the pure scheduling and health bookkeeping that picks a host and takes a failing one
// out of service. Nothing here starts processes on its own; the caller owns every ssh child.
// Hosts are keyed everywhere by Host.String(), the form they were configured in.
package sshworker
