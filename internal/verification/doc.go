// Package verification gives a run a dev server on a port of its own, so the agent can check
// its change in a running app (SPEC §5.4.5, §16.4–16.6).
//
// A Pool hands out ports from the configured range, persisted in the run store so a restart
// keeps the ports whose dev servers still run; beyond the reference it also skips ports some
// other program on the machine is listening on. A Server is the dev server of one run: started
// in its own session, so it and everything it spawns are one process group; health-checked
// before the agent's first turn; and stopped with the configured signal, then SIGKILL, on every
// exit path.
package verification
