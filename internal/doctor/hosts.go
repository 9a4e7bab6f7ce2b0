package doctor

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/symphony-go/symphony/internal/sandbox"
	"github.com/symphony-go/symphony/internal/sshworker"
)

// HostRun runs a short command on a worker host (a workers.ssh_hosts entry) over ssh and
// returns its stdout.
type HostRun func(ctx context.Context, host string, remote []string) ([]byte, error)

// checkHostAgent checks that the login shell of worker host host finds the agent executable,
// the first word of command, as the session's `bash -lc` launch there will.
func checkHostAgent(ctx context.Context, run HostRun, host, command string) Result {
	words, err := sandbox.ShellWords(command)
	if err != nil || len(words) == 0 {
		return fail("set agent.command to the agent's command line", "agent.command %q cannot be split into words: %v", command, err)
	}
	word := words[0]
	out, err := run(ctx, host, []string{"bash", "-lc", "command -v -- " + sshworker.Quote(word)})
	var ce *sshworker.CommandError
	switch {
	case errors.Is(err, sshworker.ErrWorkerHostUnavailable):
		return transient("check the host's address, sshd and SYMPHONY_SSH_CONFIG; the service probes an unreachable host and uses it once it answers",
			"could not check %s on %s: %v", word, host, err)
	case errors.As(err, &ce):
		return fail(fmt.Sprintf("install the agent on %s so its login shell's PATH finds %s, or set agent.command to its absolute path there", host, word),
			"%s (the first word of agent.command) is not found by the login shell on %s", word, host)
	case err != nil:
		return fail("check that the system's ssh runs for the user Symphony runs as", "ssh to %s: %v", host, err)
	}
	return ok("%s on %s", strings.TrimSpace(string(out)), host)
}

// checkHostCredentials is agent-credentials with worker hosts. A session there receives the
// provider key from this service's environment, in the env file written on the host; this
// machine's login files (Codex's auth.json, Claude Code's credentials) are not carried there,
// so only the environment counts.
func checkHostCredentials(runtime, command string, lookupEnv func(string) (string, bool)) Result {
	names := codexKeyVariables
	switch {
	case runtime == "claude":
		names = []string{"ANTHROPIC_API_KEY"}
	case !sandbox.CodexProviderOf("", nil, command).UsesAuthFile:
		// A provider agent.command selects names its own variable; that check reads only the
		// environment already.
		return checkCredentials(command, "", lookupEnv)
	}
	for _, name := range names {
		if v, found := lookupEnv(name); found && v != "" {
			return ok("%s is set; worker host sessions receive it", name)
		}
	}
	return fail(fmt.Sprintf("export %s=... in the environment Symphony starts from; a login on this machine does not reach worker hosts", names[0]),
		"%s is not set, and sessions on worker hosts get only the environment's key", strings.Join(names, " or "))
}
