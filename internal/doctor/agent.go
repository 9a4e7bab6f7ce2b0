package doctor

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/symphony-go/symphony/internal/sandbox"
)

// ResolveAgent finds the agent executable the way the service launches it: the first word of
// agent.command, looked up with exec.LookPath on Symphony's own PATH. It returns that word
// and the executable's path.
func ResolveAgent(command string) (word, path string, err error) {
	words, err := sandbox.ShellWords(command)
	if err != nil {
		return "", "", fmt.Errorf("agent.command %q: %w", command, err)
	}
	if len(words) == 0 {
		return "", "", errors.New("agent.command is empty")
	}
	word = words[0]
	path, err = exec.LookPath(word)
	return word, path, err
}

func checkAgent(ctx context.Context, command string) Result {
	word, path, err := ResolveAgent(command)
	switch {
	case word == "":
		return fail("set agent.command to the agent's command line, e.g. `codex app-server`", "%v", err)
	case err != nil && strings.Contains(word, "/"):
		return fail("install the agent there or set agent.command to the executable's real path",
			"%s (the first word of agent.command) is not an executable file: %v", word, unwrapExec(err))
	case err != nil:
		return fail("install Codex (npm install -g @openai/codex) or put its directory on Symphony's PATH, or set agent.command to the executable's absolute path",
			"%q (the first word of agent.command) is not on PATH", word)
	}
	version, err := probe(ctx, path, "--version")
	if err != nil {
		return warn(fmt.Sprintf("check that `%s --version` runs for the user Symphony runs as", path),
			"found %s, but its version is unknown: %v", path, err)
	}
	return ok("%s (%s)", version, path)
}

// unwrapExec drops exec's "exec: NAME:" prefix, which would repeat the name.
func unwrapExec(err error) error {
	var ee *exec.Error
	if errors.As(err, &ee) {
		return ee.Err
	}
	return err
}
