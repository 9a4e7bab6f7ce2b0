package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/testenv"
)

// e2eEnv is a complete Symphony installation in a temp dir: a real git origin and primary
// clone, local tracker files, a WORKFLOW.md, a symphony.yml driving the real codex binary at
// a mock model API, and the symphony binary built from this tree.
type e2eEnv struct {
	dir, bin, codex, config, issues, src, state string
	env                                         []string
}

// agentWork is the shell command the scripted model asks Codex to run for an issue: commit
// in the worktree, then hand the issue off by editing its local tracker file.
func agentWork(issuesDir string) string {
	return `id=$(basename "$PWD") && printf 'work for %s\n' "$id" > WORK.md && git add WORK.md && ` +
		`git -c user.name=agent -c user.email=agent@example.invalid commit -qm "work on $id" && ` +
		`sed -i 's/^state: .*/state: Human Review/' ` + issuesDir + `/"$id".md`
}

// agentCommit is the shell command with which the scripted model writes file and commits it in
// its workspace as the agent.
func agentCommit(file, message string) string {
	return `printf 'work\n' > ` + file + ` && git add ` + file + ` && ` +
		`git -c user.name=agent -c user.email=agent@example.invalid commit -qm "` + message + `"`
}

// modelToolOutputs joins every tool output Codex sent back to the model, each decoded from the
// JSON string Codex wraps it in (kept raw when it is not one).
func modelToolOutputs(mock *codextest.Responses) string {
	var outputs []string
	for _, r := range mock.Requests() {
		for _, raw := range r.ToolOutputs {
			var text string
			if json.Unmarshal([]byte(raw), &text) != nil {
				text = raw
			}
			outputs = append(outputs, text)
		}
	}
	return strings.Join(outputs, "\n")
}

func newE2E(t *testing.T, issues ...string) *e2eEnv {
	t.Helper()
	testenv.Tool(t, "git")
	root := testenv.ModuleRoot(t)
	codexBin := testenv.Codex(t)
	e := &e2eEnv{dir: t.TempDir(), codex: codexBin}
	e.bin = filepath.Join(e.dir, "symphony")
	build := exec.Command("go", "build", "-o", e.bin, "./cmd/symphony")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build symphony: %v\n%s", err, out)
	}

	origin := filepath.Join(e.dir, "origin.git")
	e.src = filepath.Join(e.dir, "src")
	testenv.Git(t, e.dir, "init", "-q", "--bare", "-b", "main", origin)
	testenv.Git(t, e.dir, "clone", "-q", origin, e.src)
	os.WriteFile(filepath.Join(e.src, "README.md"), []byte("demo\n"), 0o644)
	testenv.Git(t, e.src, "add", "README.md")
	testenv.Git(t, e.src, "commit", "-qm", "seed")
	testenv.Git(t, e.src, "push", "-q", "origin", "HEAD:main")

	e.issues = filepath.Join(e.dir, "issues")
	os.MkdirAll(e.issues, 0o755)
	for i, id := range issues {
		text := fmt.Sprintf("---\ntitle: Task %d\nstate: Todo\npriority: %d\n---\nDo task %d.\n", i+1, i+1, i+1)
		os.WriteFile(filepath.Join(e.issues, id+".md"), []byte(text), 0o644)
	}
	os.WriteFile(filepath.Join(e.dir, "WORKFLOW.md"), []byte("Work on {{ issue.identifier }}: {{ issue.title }}.\n"), 0o644)

	home := filepath.Join(e.dir, "home")
	os.MkdirAll(home, 0o700)
	e.state = filepath.Join(e.dir, "state")
	e.env = append(os.Environ(), "HOME="+home, "SYMPHONY_STATE_ROOT="+e.state, "MOCK_API_KEY=e2e",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid")
	e.config = filepath.Join(e.dir, "symphony.yml")
	return e
}

// writeConfig writes symphony.yml with the agent command pointing the real codex at mock.
// The turn policy adds the issues directory to the writable roots so the scripted agent can
// hand its issue off by editing the local tracker file.
// codexFlags are extra codex command-line flags, inserted before app-server.
func (e *e2eEnv) writeConfig(t *testing.T, mock *codextest.Responses, codexFlags ...string) {
	t.Helper()
	issues := `issues:
  provider: local
  poll_interval_ms: 2000
  local: {dir: issues}
  states: {active: [Todo, In Progress], terminal: [Done]}
`
	e.writeConfigWith(t, mock, issues, fmt.Sprintf(", writableRoots: [%q]", e.issues), codexFlags...)
}

// writeConfigWith writes symphony.yml with issues as its whole issues section, the demo
// repository, and the real codex pointed at mock; turnPolicyExtra is appended inside the
// workspaceWrite turn policy.
func (e *e2eEnv) writeConfigWith(t *testing.T, mock *codextest.Responses, issues, turnPolicyExtra string, codexFlags ...string) {
	t.Helper()
	provider := fmt.Sprintf(`model_providers.mock={name="Mock",base_url="%s",wire_api="responses",env_key="MOCK_API_KEY",request_max_retries=0,stream_max_retries=0}`, mock.URL)
	command := fmt.Sprintf("%s --config '%s' --config model_provider=mock --config model=gpt-5.1-codex %s app-server",
		e.codex, provider, strings.Join(codexFlags, " "))
	cfg := issues + fmt.Sprintf(`repositories:
  - key: demo
    workspace: {strategy: worktree, repo: src, fetch_before_dispatch: true}
workspaces:
  root: workspaces
agent:
  runtime: codex
  command: %q
  concurrency: {max_total: 1}
  limits: {max_turns: 3}
  timeouts: {read_ms: 30000, turn_ms: 60000}
  permissions:
    filesystem:
      turn_policy: {type: workspaceWrite, networkAccess: false%s}
`, command, turnPolicyExtra)
	if err := os.WriteFile(e.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (e *e2eEnv) command(ctx context.Context, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.CommandContext(ctx, e.bin, append([]string{"--config", e.config}, args...)...)
	cmd.Env = e.env
	cmd.Dir = e.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

func (e *e2eEnv) issueState(t *testing.T, id string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(e.issues, id+".md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "state: "); ok {
			return v
		}
	}
	return ""
}

// unfinishedRuns counts runs without an end in the store, or -1 before any run exists.
func (e *e2eEnv) unfinishedRuns(t *testing.T) int {
	t.Helper()
	if _, err := os.Stat(filepath.Join(e.state, "symphony.db")); err != nil {
		return -1
	}
	st, err := store.Open(context.Background(), store.Options{StateRoot: e.state, ReadOnly: true})
	if err != nil {
		return -1
	}
	defer st.Close()
	runs, err := st.Runs(context.Background(), store.RunFilter{})
	if err != nil || len(runs) == 0 {
		return -1
	}
	n := 0
	for _, r := range runs {
		if r.EndedAt.IsZero() {
			n++
		}
	}
	return n
}

// Secrets that reach Symphony from an issue description, its own environment and the
// agent's own output; none may land in a file Symphony writes, and the environment's never
// reaches the agent.
var (
	secretGitHubToken = "ghp_" + strings.Repeat("Q7", 18)
	secretAnthropic   = "sk-ant-api03-" + strings.Repeat("x9Y", 30)
	secretDeployToken = "deploy-7f3e91c2a8b44d0e"
)

func TestServeWorksIssuesWithRealCodex(t *testing.T) {
	e := newE2E(t, "DEMO-1", "DEMO-2")
	desc := filepath.Join(e.issues, "DEMO-1.md")
	data, _ := os.ReadFile(desc)
	os.WriteFile(desc, append(data, []byte("Use token "+secretGitHubToken+" and key "+secretAnthropic+".\n")...), 0o644)
	e.env = append(e.env, "DEPLOY_TOKEN="+secretDeployToken)
	leak := `echo "deploying with $DEPLOY_TOKEN and ` + secretGitHubToken + `"`
	// The leak runs as its own command, before the work: the work hands the issue off, and a
	// reconciliation tick that sees that can stop the session before Codex sends the model the
	// output of the command that did it. The model's steps are served in request order, so
	// whichever way DEMO-1's session ends, DEMO-2 still finds a work step after the text.
	mock := codextest.NewResponses(t,
		codextest.Step{Shell: leak}, codextest.Step{Shell: agentWork(e.issues)}, codextest.Step{Text: "DEMO-1 is ready for review."},
		codextest.Step{Shell: agentWork(e.issues)}, codextest.Step{Text: "DEMO-2 is ready for review."})
	e.writeConfig(t, mock)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd, stdout, stderr := e.command(ctx)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(150 * time.Second)
	for e.issueState(t, "DEMO-1") != "Human Review" || e.issueState(t, "DEMO-2") != "Human Review" || e.unfinishedRuns(t) != 0 {
		if time.Now().After(deadline) {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			cmd.Wait()
			t.Fatalf("issues not handed off: DEMO-1 %q, DEMO-2 %q\nstdout:\n%s\nstderr:\n%s",
				e.issueState(t, "DEMO-1"), e.issueState(t, "DEMO-2"), stdout, stderr)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("symphony did not exit cleanly on SIGTERM: %v\nstderr:\n%s", err, stderr)
	}
	if !strings.Contains(stdout.String(), "symphony stopped") {
		t.Errorf("no clean-stop message:\n%s", stdout)
	}

	for _, id := range []string{"DEMO-1", "DEMO-2"} {
		if msg := testenv.GitOutput(t, e.src, "log", "-1", "--format=%s", "auto/"+id); msg != "work on "+id {
			t.Errorf("branch auto/%s head %q, want the agent's commit", id, msg)
		}
	}
	st, err := store.Open(context.Background(), store.Options{StateRoot: e.state, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(context.Background(), store.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	// A run ends either when the worker sees the hand-off after its turn (success) or when a
	// reconciliation tick sees it first and stops the session (stopped); both are complete.
	var finished []store.Run
	for _, r := range runs {
		if r.Status == store.StatusSuccess || r.Status == store.StatusStopped && strings.Contains(r.Error, "Human Review") {
			finished = append(finished, r)
		} else {
			t.Errorf("unexpected run %+v", r)
		}
	}
	if len(finished) != 2 || finished[0].IssueIdentifier == finished[1].IssueIdentifier {
		t.Fatalf("want one finished run per issue, got %+v", runs)
	}
	a, b := finished[0], finished[1]
	if a.StartedAt.Before(b.EndedAt) && b.StartedAt.Before(a.EndedAt) {
		t.Errorf("runs overlapped despite max_total 1: %v-%v and %v-%v", a.StartedAt, a.EndedAt, b.StartedAt, b.EndedAt)
	}
	if a.Tokens.Total == 0 || b.Tokens.Total == 0 {
		t.Errorf("runs recorded no tokens: %+v %+v", a.Tokens, b.Tokens)
	}

	verify, vout, verr := e.command(ctx, "audit", "verify")
	if err := verify.Run(); err != nil {
		t.Fatalf("audit verify: %v\n%s%s", err, vout, verr)
	}

	// The agent's command ran with an empty $DEPLOY_TOKEN, since Symphony's environment is
	// not the agent's, and really printed the token written into it, so the scan below is
	// meaningful...
	var toolOutput string
	for _, r := range mock.Requests() {
		toolOutput += strings.Join(r.ToolOutputs, "\n")
	}
	if !strings.Contains(toolOutput, "deploying with  and "+secretGitHubToken) {
		t.Fatalf("the agent did not print the token with an empty $DEPLOY_TOKEN; tool output:\n%s", toolOutput)
	}
	// ...the prompt that reached the model had the description's secrets redacted...
	for _, r := range mock.Requests() {
		for _, in := range r.Input {
			if strings.Contains(string(in), secretAnthropic) || strings.Contains(string(in), "Use token "+secretGitHubToken) {
				t.Errorf("an issue-description secret reached the model: %s", in)
			}
		}
	}
	// ...the audit log recorded the command the agent ran, with the secrets scrubbed...
	show, sout, serr := e.command(ctx, "audit", "show", "DEMO-1", "--json")
	if err := show.Run(); err != nil {
		t.Fatalf("audit show: %v\n%s", err, serr)
	}
	if !strings.Contains(sout.String(), `"command_executed"`) || !strings.Contains(sout.String(), "deploying with  and [REDACTED:github_token]") {
		t.Errorf("no scrubbed command_executed record for DEMO-1:\n%s", sout)
	}
	// ...and nothing Symphony wrote (store, audit log, log files, session leftovers) or
	// printed holds any of them.
	scanForSecrets(t, e.state, stdout.String()+stderr.String())
}

func scanForSecrets(t *testing.T, root, output string) {
	t.Helper()
	secrets := []string{secretGitHubToken, secretAnthropic, secretDeployToken}
	files := 0
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		// A socket (the control socket a killed service leaves behind) holds no data.
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("read %s: %v", path, err)
			return nil
		}
		files++
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("secret %.12s… found in %s", s, path)
			}
		}
		return nil
	})
	if files < 3 {
		t.Errorf("only %d files under the state root; expected the store, audit log and log file", files)
	}
	for _, s := range secrets {
		if strings.Contains(output, s) {
			t.Errorf("secret %.12s… printed by symphony", s)
		}
	}
}

func TestRunExitCodesWithRealCodex(t *testing.T) {
	e := newE2E(t, "DEMO-3", "DEMO-4", "DEMO-5")
	e.writeConfig(t, codextest.NewResponses(t,
		codextest.Step{Shell: agentWork(e.issues)}, codextest.Step{Text: "done"},
		codextest.Step{HTTPStatus: 500},
		codextest.Step{Text: "slow", Delay: 3 * time.Second}))

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cases := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"run", "DEMO-3"}, 0, "DEMO-3: success"},
		{[]string{"run", "DEMO-4", "--no-retry"}, 1, "DEMO-4: failed"},
		{[]string{"run", "NOPE-9"}, 2, ""},
		{[]string{"run", "DEMO-5", "--timeout", "2s"}, 124, "DEMO-5: timeout"},
	}
	for _, c := range cases {
		cmd, stdout, stderr := e.command(ctx, c.args...)
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if code != c.code || !strings.Contains(stdout.String(), c.out) {
			t.Errorf("%v: exit %d, want %d; stdout %q\nstderr:\n%s", c.args, code, c.code, stdout, stderr)
		}
	}
	if got := e.issueState(t, "DEMO-3"); got != "Human Review" {
		t.Errorf("DEMO-3 state %q after a successful run", got)
	}
}
