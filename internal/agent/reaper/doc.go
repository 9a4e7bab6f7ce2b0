// Package reaper makes agent processes die with the service that started them.
//
// An agent is not started directly: the service re-executes its own binary in a hidden
// supervisor mode (package supervisor's init recognises it by argv[0] before the service's own
// packages are initialised), and the supervisor starts the real command.
// The supervisor is a child subreaper, so every process the agent leaves behind (Codex's
// bubblewrap helpers, double-forked shells) is reparented to it instead of to init; it gets
// the parent-death signal whenever it is itself reparented and checks its parent then; and
// when the agent exits, when it is told to stop, or when the service is gone, it kills every
// descendant it has, reaps them and only then exits. Files the service hands it (the workspace lock) stay open until that moment, so
// a lock it holds is released only when the agent tree is really gone.
//
// The package also reads process identities from /proc (pid plus start time, never a bare
// pid) so a restarted service can end the agents its predecessor left running.
package reaper
