// Package supervisor is the agent supervisor mode of a binary that starts agents through
// package reaper: it starts the agent, stays its child subreaper, and kills and reaps the
// whole agent tree when the agent exits, when it is told to stop or when the service is gone.
//
// A supervisor is the service's own binary re-executed once per agent, so its start-up cost is
// paid on every session start. The mode is recognised in this package's init, and the package
// imports only a few low-level standard packages: the Go specification initialises, among the
// packages whose imports are ready, the first by import path, so this init runs as soon as
// os, os/signal and time are ready, before the hundred-odd other packages of the service (and
// their tables, regexps and schemas) would be. Package reaper holds the service side.
package supervisor
