package doctor

import (
	"context"
	"fmt"
	"os/exec"

	"github.com/symphony-go/symphony/internal/sandbox"
)

func checkGit(ctx context.Context) Result {
	path, err := exec.LookPath("git")
	if err != nil {
		return fail("install git (e.g. apt-get install git) or put it on Symphony's PATH", "git is not on PATH; workspaces cannot be cloned")
	}
	version, err := probe(ctx, path, "--version")
	if err != nil {
		return warn(fmt.Sprintf("check that `%s --version` runs", path), "found %s, but its version is unknown: %v", path, err)
	}
	return ok("%s (%s)", version, path)
}

// bwrapSmoke is the smallest sandbox Codex builds for a command: a read-only root with new
// pid and network namespaces and a fresh /proc. Inside it runs bwrap's own --version, the one
// program known to exist whatever PATH holds.
func bwrapSmoke(bwrap string) []string {
	return []string{"--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid", "--unshare-net", bwrap, "--version"}
}

// checkBwrap finds bubblewrap and builds one throwaway sandbox with it. Codex prefers the
// system bwrap and falls back to a bundled copy, so a missing one is only a warning unless
// srt (which has no copy of its own) needs it.
func checkBwrap(ctx context.Context, required bool) Result {
	path, err := exec.LookPath("bwrap")
	if err != nil {
		const fix = "install bubblewrap (e.g. apt-get install bubblewrap)"
		if required {
			return fail(fix, "bwrap is not on PATH; srt needs it to sandbox the agent on Linux")
		}
		return warn(fix, "bwrap is not on PATH; Codex falls back to the copy bundled with it")
	}
	version, err := probe(ctx, path, "--version")
	if err != nil {
		return warn(fmt.Sprintf("check that `%s --version` runs", path), "%v", err)
	}
	if _, err := probe(ctx, path, bwrapSmoke(path)...); err != nil {
		return warn("allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu also kernel.apparmor_restrict_unprivileged_userns=0), or run where bubblewrap can create namespaces",
			"%s is installed but cannot build a sandbox here, so sandboxed agent commands will fail: %v", version, err)
	}
	return ok("%s (%s), sandbox builds", version, path)
}

func checkSRT(ctx context.Context, command string) Result {
	words, err := sandbox.ShellWords(command)
	if err != nil || len(words) == 0 {
		return fail("set agent.permissions.outer_sandbox.command to the srt executable", "agent.permissions.outer_sandbox.command %q cannot be parsed", command)
	}
	path, err := exec.LookPath(words[0])
	if err != nil {
		return fail("install the sandbox runtime (npm install -g @anthropic-ai/sandbox-runtime) or set agent.permissions.outer_sandbox.command to its path",
			"%q (agent.permissions.outer_sandbox.command) is not on PATH", words[0])
	}
	version, err := probe(ctx, path, "--version")
	if err != nil {
		return warn(fmt.Sprintf("check that `%s --version` runs", path), "found %s, but its version is unknown: %v", path, err)
	}
	return ok("srt %s (%s)", version, path)
}
