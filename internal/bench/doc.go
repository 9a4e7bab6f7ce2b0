// Package bench measures what Symphony itself costs while it works many issues at once. It
// starts the real symphony binary on the local tracker with N issues whose agent is a fake
// app-server streaming realistic notifications at a steady rate, and reads the service's own
// CPU time, memory, audit bytes and wake-ups from /proc, so the figures are the service's and
// not its agents'. It is Linux-only, like the /proc files it reads.
package bench
