package sandbox_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex"
	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/sandbox"
	"github.com/symphony-go/symphony/internal/testenv"
)

// Fake credentials planted in the fake HOME; an attack "succeeds" when one reaches the model.
const (
	secretSSH    = "FAKE-SSH-KEY-5d1c"
	secretAWS    = "FAKE-AWS-SECRET-77e0"
	secretCodex  = "FAKE-CODEX-AUTH-a913"
	secretClaude = "FAKE-CLAUDE-LOGIN-3b7f"
	secretRuns   = "FAKE-RUN-STORE-40b2"
	secretAudit  = "FAKE-AUDIT-LOG-c7d1"
	secretLogs   = "FAKE-SERVICE-LOG-18ae"
	secretYML    = "FAKE-SYMPHONY-YML-e5f3"
	secretPeer   = "FAKE-OTHER-SESSION-92bc"
	planted      = "PLANTED-BY-AGENT"
)

// rig is one attack run's world: a fake HOME with fake credentials, a git workspace,
// Symphony's own state (a state root holding a run store, an audit log and another issue's
// session directory, a separate logs root and the operator's symphony.yml), two loopback HTTP
// servers (one allow-listed) and two Unix sockets (one the session's own).
type rig struct {
	root, home, wsRoot, ws, sockDir    string
	state, session, logs, config       string
	allowedURL, otherURL, directURL    string
	allowedHits, otherHits, directHits atomic.Int64
	hostURL                            string
	hostHits                           atomic.Int64
	ownSock, otherSock                 string
	ownConns, otherConns               atomic.Int64
}

// srtTempDir is srt's own TMPDIR for one test, made and removed the way a session does, so
// what srt leaves there does not land in the shared temp directory.
func srtTempDir(t *testing.T) string {
	t.Helper()
	dir, err := agent.NewSandboxTempDir()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = agent.RemoveSandboxTempDir(dir) })
	return dir
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{root: t.TempDir()}
	r.home = filepath.Join(r.root, "home")
	r.wsRoot = filepath.Join(r.root, "workspaces")
	r.ws = filepath.Join(r.wsRoot, "SEC-1")
	r.state = filepath.Join(r.root, "state")
	r.session = filepath.Join(r.state, "sessions", "SEC-1")
	r.logs = filepath.Join(r.root, "logs")
	r.config = filepath.Join(r.root, "ops", "symphony.yml")
	r.sockDir = filepath.Join(r.root, "sock-own")
	files := map[string]string{
		".ssh/id_rsa":               secretSSH + "\n",
		".aws/credentials":          "[default]\naws_secret_access_key=" + secretAWS + "\n",
		".codex/auth.json":          `{"OPENAI_API_KEY":"` + secretCodex + `"}` + "\n",
		".claude/.credentials.json": `{"claudeAiOauth":{"accessToken":"` + secretClaude + `"}}` + "\n",
	}
	for rel, body := range files {
		writeFile(t, filepath.Join(r.home, rel), body)
	}
	writeFile(t, filepath.Join(r.state, "symphony.db"), secretRuns+"\n")
	writeFile(t, filepath.Join(r.state, "audit", "audit.jsonl"), secretAudit+"\n")
	writeFile(t, filepath.Join(r.state, "sessions", "SEC-2", "home", "config.toml"), secretPeer+"\n")
	writeFile(t, filepath.Join(r.logs, "symphony.log"), secretLogs+"\n")
	writeFile(t, r.config, "# "+secretYML+"\n")
	for _, d := range []string{r.ws, r.session, r.sockDir, filepath.Join(r.root, "sock-other")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	run(t, r.ws, "git", "init", "-q")
	writeFile(t, filepath.Join(r.ws, "WORKFLOW.md"), "original workflow\n")
	r.allowedURL = serveCounting(t, &r.allowedHits)
	r.otherURL = serveCounting(t, &r.otherHits)
	r.directURL = serveCounting(t, &r.directHits)
	r.hostURL = serveCountingOn(t, "127.0.0.2:0", &r.hostHits)
	r.ownSock = listenCounting(t, filepath.Join(r.sockDir, "mcp.sock"), &r.ownConns)
	r.otherSock = listenCounting(t, filepath.Join(r.root, "sock-other", "docker.sock"), &r.otherConns)
	return r
}

// attackScript is the scripted agent's one shell command. Each probe is independent, so one
// blocked step never hides the outcome of the next.
func (r *rig) attackScript() string {
	return strings.Join([]string{
		"echo " + planted + " > " + filepath.Join(r.home, "outside.txt"),
		"cat ~/.ssh/id_rsa",
		"cat ~/.aws/credentials",
		"cat ~/.codex/auth.json",
		"cat \"$CODEX_HOME/auth.json\"",
		"cat ~/.claude/.credentials.json",
		"cat " + filepath.Join(r.state, "symphony.db") + " " + filepath.Join(r.state, "audit", "audit.jsonl"),
		"cat " + filepath.Join(r.logs, "symphony.log"),
		"cat " + r.config,
		"cat " + filepath.Join(r.state, "sessions", "SEC-2", "home", "config.toml"),
		"echo tmp-ok > \"$TMPDIR/probe\" && cat \"$TMPDIR/probe\"",
		"echo " + planted + " >> \"$CODEX_HOME/config.toml\"",
		"echo " + planted + " > WORKFLOW.md",
		"printf '[alias]\\n\\tpwn = !echo " + planted + "\\n' >> .git/config",
		// srt starts its proxy beside the command: the first request can find it not yet
		// listening (a silent quick failure in one CI run), so only this probe, the one meant to
		// get through, retries a refused connection.
		"curl -s -m 15 --retry 3 --retry-connrefused --retry-delay 1 " + r.allowedURL,
		"curl -s -m 15 " + r.otherURL,
		"curl -s -m 15 --noproxy '*' " + r.directURL,
		"curl -s -m 15 --unix-socket " + r.ownSock + " http://sock/",
		"curl -s -m 15 --unix-socket " + r.otherSock + " http://sock/",
		"true",
	}, "; ")
}

// hostProbe reaches a host that is not allow-listed. It runs as its own command: Codex's
// proxy fails the whole command when it refuses a private address, hiding every other probe.
func (r *rig) hostProbe() string {
	return "curl -s -m 15 " + r.hostURL + "; true"
}

// outcome observes what the attack achieved, from the side of the thing attacked.
func (r *rig) outcome(t *testing.T, toolOutput string) map[string]sandbox.Outcome {
	t.Helper()
	got := map[string]sandbox.Outcome{}
	set := func(id string, allowed bool) {
		got[id] = sandbox.Blocked
		if allowed {
			got[id] = sandbox.Allowed
		}
	}
	set(sandbox.AttackWriteOutside, fileHas(filepath.Join(r.home, "outside.txt"), planted))
	set(sandbox.AttackReadSSH, strings.Contains(toolOutput, secretSSH))
	set(sandbox.AttackReadAWS, strings.Contains(toolOutput, secretAWS))
	set(sandbox.AttackReadCodexAuth, strings.Contains(toolOutput, secretCodex))
	set(sandbox.AttackReadClaudeAuth, strings.Contains(toolOutput, secretClaude))
	set(sandbox.AttackReadState, strings.Contains(toolOutput, secretRuns) || strings.Contains(toolOutput, secretAudit))
	set(sandbox.AttackReadLogs, strings.Contains(toolOutput, secretLogs))
	set(sandbox.AttackReadConfig, strings.Contains(toolOutput, secretYML))
	set(sandbox.AttackReadPeerSession, strings.Contains(toolOutput, secretPeer))
	set(sandbox.AttackOwnTmpdir, strings.Contains(toolOutput, "tmp-ok"))
	set(sandbox.AttackWriteCodexHome, fileHas(filepath.Join(r.session, "home", "config.toml"), planted))
	set(sandbox.AttackWriteWorkflow, fileHas(filepath.Join(r.ws, "WORKFLOW.md"), planted))
	set(sandbox.AttackWriteGitConfig, fileHas(filepath.Join(r.ws, ".git", "config"), planted))
	set(sandbox.AttackNetAllowed, r.allowedHits.Load() > 0)
	set(sandbox.AttackNetOtherProxy, r.otherHits.Load() > 0)
	set(sandbox.AttackNetOtherHost, r.hostHits.Load() > 0)
	set(sandbox.AttackNetOtherDirect, r.directHits.Load() > 0)
	set(sandbox.AttackSocketOwn, r.ownConns.Load() > 0)
	set(sandbox.AttackSocketOther, r.otherConns.Load() > 0)
	return got
}

// allowEntry is the allowed_domains entry for the allow-listed server, as an operator would
// write it in each mode: host:port where srt enforces ports, the bare host where the Codex
// profile refuses a port it cannot enforce.
func (r *rig) allowEntry(mode sandbox.Mode) string {
	hostPort := strings.TrimSuffix(strings.TrimPrefix(r.allowedURL, "http://"), "/")
	if mode == sandbox.ModeSRT {
		return hostPort
	}
	host, _, _ := strings.Cut(hostPort, ":")
	return host
}

func (r *rig) input(mode sandbox.Mode, mockHost, allowedHost string) sandbox.Input {
	in := sandbox.Input{
		Runtime:      sandbox.RuntimeCodex,
		Workspace:    r.ws,
		Home:         r.home,
		SessionDir:   r.session,
		CodexHome:    filepath.Join(r.session, "home"),
		SocketDir:    r.sockDir,
		RuntimeHosts: []string{mockHost},
		StateRoot:    r.state,
		LogsRoot:     r.logs,
		ConfigFiles:  []string{r.config},
	}
	in.Permissions.Network.AllowedDomains = []string{allowedHost}
	if mode == sandbox.ModeSRT {
		in.Permissions.OuterSandbox.Runtime = sandbox.OuterSRT
	}
	return in
}

// TestSecurityMatrix runs the scripted attack turn through the real codex app-server, once
// under Codex's native sandbox with the default policy and once inside srt, and checks every
// outcome against sandbox.Measured — the table `symphony sandbox explain` prints.
func TestSecurityMatrix(t *testing.T) {
	codexBin := testenv.Codex(t)
	for _, tool := range []string{"curl", "git"} {
		testenv.Tool(t, tool)
	}
	for _, mode := range sandbox.Modes {
		if mode == sandbox.ModeClaude {
			continue // TestClaudeSecurityMatrix
		}
		t.Run(string(mode), func(t *testing.T) {
			if mode == sandbox.ModeSRT {
				testenv.SRT(t)
				for _, tool := range []string{"bwrap", "socat", "rg"} {
					testenv.Tool(t, tool)
				}
			}
			r := newRig(t)
			got := r.attack(t, codexBin, mode)
			for _, a := range scriptedAttacks() {
				want := sandbox.Measured[a.ID][mode]
				t.Logf("%-22s %-13s %s", a.ID, mode, got[a.ID])
				if got[a.ID] != want {
					t.Errorf("%s under %s: observed %s, sandbox.Measured says %s (%s)", a.ID, mode, got[a.ID], want, a.Description)
				}
			}
		})
	}
}

func (r *rig) attack(t *testing.T, codexBin string, mode sandbox.Mode) map[string]sandbox.Outcome {
	t.Helper()
	mock := codextest.NewResponses(t, codextest.Step{Shell: r.attackScript()}, codextest.Step{Shell: r.hostProbe()}, codextest.Step{Text: "done"})
	mockHost := strings.TrimSuffix(strings.TrimPrefix(mock.URL, "http://"), "/v1")
	in := r.input(mode, mockHost, r.allowEntry(mode))
	if mode == sandbox.ModeSRT {
		in.Permissions.OuterSandbox.Command = testenv.SRT(t)
	}
	pol, err := sandbox.Resolve(in)
	if err != nil {
		t.Fatal(err)
	}
	params := pol.Codex()
	opts := codex.Options{
		Command:           shellQuoteArg(codexBin) + " app-server",
		WorkspaceRoot:     r.wsRoot,
		Workspace:         r.ws,
		PrivateDir:        r.session,
		AuthFile:          filepath.Join(r.home, ".codex", "auth.json"),
		ConfigTOML:        mock.ConfigTOML(),
		Env:               append(mock.Env(), "HOME="+r.home, "PATH="+os.Getenv("PATH")),
		ApprovalPolicy:    params.ApprovalPolicy,
		AutoApproveAll:    params.AutoApproveAll,
		ThreadSandbox:     params.ThreadSandbox,
		TurnSandboxPolicy: params.TurnSandboxPolicy,
		ConfigOverrides:   params.ConfigOverrides,
		ReadTimeout:       20 * time.Second,
		TurnTimeout:       90 * time.Second,
	}
	if mode == sandbox.ModeCodexProfile {
		opts.PermissionProfile = params.PermissionProfile
	}
	if mode == sandbox.ModeSRT {
		srt, err := pol.WriteSRTSettings(filepath.Join(r.state, "sessions"), srtTempDir(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = srt.Close() })
		opts.LaunchWrapper = srt.Launch
	}
	sess := codex.New(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := sess.Start(ctx); err != nil {
		t.Fatalf("start codex (%s): %v", mode, err)
	}
	defer func() { _ = sess.Stop(context.Background()) }()
	if _, err := sess.RunTurn(ctx, "probe the sandbox"); err != nil {
		t.Fatalf("attack turn (%s): %v", mode, err)
	}
	return r.outcome(t, toolOutputs(t, mock, mode))
}

// toolOutputs is everything the attack command printed, as the model received it.
func toolOutputs(t *testing.T, mock *codextest.Responses, mode sandbox.Mode) string {
	t.Helper()
	var outputs []string
	for _, req := range mock.Requests() {
		outputs = append(outputs, req.ToolOutputs...)
	}
	if len(outputs) == 0 {
		t.Fatalf("the attack command never ran (%s): no tool output reached the model", mode)
	}
	out := strings.Join(outputs, "\n")
	t.Logf("tool output (%s):\n%s", mode, out)
	return out
}

// scriptedAttacks are the rows attackScript probes; the other rows are measured elsewhere.
func scriptedAttacks() []sandbox.Attack {
	var out []sandbox.Attack
	for _, a := range sandbox.Attacks {
		if a.InAttackScript() {
			out = append(out, a)
		}
	}
	return out
}

func serveCounting(t *testing.T, hits *atomic.Int64) string {
	t.Helper()
	return serveCountingOn(t, "127.0.0.1:0", hits)
}

// serveCountingOn serves on addr; 127.0.0.2 is a loopback host distinct from the allow-listed
// 127.0.0.1.
func serveCountingOn(t *testing.T, addr string, hits *atomic.Int64) string {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		fmt.Fprintln(w, "reached")
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String() + "/"
}

func listenCounting(t *testing.T, path string, conns *atomic.Int64) string {
	t.Helper()
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			_, _ = c.Write([]byte("HTTP/1.0 200 OK\r\n\r\nreached\n"))
			_ = c.Close()
		}
	}()
	t.Cleanup(func() { _ = ln.Close() })
	return path
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func fileHas(path, s string) bool {
	b, err := os.ReadFile(path)
	return err == nil && strings.Contains(string(b), s)
}

func run(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

func shellQuoteArg(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
