package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/symphony-go/symphony/internal/agent/codex/codexfake"
)

// installation is one benchmark's symphony.yml, issues and state, in a directory of its own.
type installation struct {
	dir        string
	config     string
	state      string
	milestones string
	env        []string
}

// install writes a local-tracker setup with n Todo issues whose agent is the fake app-server
// at agentBin, streaming bytesPerAgent over the stream duration in its first turn.
func install(dir, agentBin string, n int, o Options) (*installation, error) {
	in := &installation{dir: dir, config: filepath.Join(dir, "symphony.yml"), state: filepath.Join(dir, "state"),
		milestones: filepath.Join(dir, "milestones")}
	issues := filepath.Join(dir, "issues")
	if err := os.MkdirAll(issues, 0o755); err != nil {
		return nil, err
	}
	for i := 1; i <= n; i++ {
		text := fmt.Sprintf("---\ntitle: Bench task %d\nstate: Todo\npriority: 2\n---\nStream a turn for task %d.\n", i, i)
		if err := os.WriteFile(filepath.Join(issues, fmt.Sprintf("B-%d.md", i)), []byte(text), 0o644); err != nil {
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "WORKFLOW.md"), []byte("Work on {{ issue.identifier }}: {{ issue.title }}.\n"), 0o644); err != nil {
		return nil, err
	}
	// Two turns: the fake agent reports its measured first turn done when the service starts
	// the second, which it does only once it has read the first to its end.
	passthrough := []string{codexfake.EnvScenario, codexfake.EnvFloodBytes, codexfake.EnvPaceMs, codexfake.EnvMilestones}
	cfg := fmt.Sprintf(`issues:
  provider: local
  poll_interval_ms: %d
  local: {dir: issues}
  states: {active: [Todo, In Progress], terminal: [Done]}
repositories:
  - key: bench
workspaces:
  root: workspaces
agent:
  runtime: codex
  command: %q
  env_passthrough: [%s]
  concurrency: {max_total: %d}
  limits: {max_turns: 2}
  timeouts: {read_ms: 60000, turn_ms: 600000}
`, o.PollInterval.Milliseconds(), agentBin+" app-server", strings.Join(passthrough, ", "), max(n, 1))
	if err := os.WriteFile(in.config, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	home, tmp := filepath.Join(dir, "home"), filepath.Join(dir, "tmp")
	for _, d := range []string{home, tmp} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	// The fake agent needs no login, but start-up checks look for one. The service's temporary
	// files (agent session directories, tool sockets) go in the installation too, so --dir
	// decides the file system of everything a run creates.
	in.env = append(os.Environ(), "HOME="+home, "TMPDIR="+tmp, "SYMPHONY_STATE_ROOT="+in.state, "OPENAI_API_KEY=bench-fake-key",
		codexfake.EnvScenario+"="+codexfake.FakePaced,
		fmt.Sprintf("%s=%d", codexfake.EnvFloodBytes, o.BytesPerAgent),
		fmt.Sprintf("%s=%d", codexfake.EnvPaceMs, o.Stream.Milliseconds()),
		codexfake.EnvMilestones+"="+in.milestones)
	return in, nil
}
