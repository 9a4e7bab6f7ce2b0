package claude

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/sshworker/sshdtest"
)

// fakeHost wraps a test sshd's agent.Remote: Command records what a turn hands ssh and runs
// the remote command line with the local sh instead (the argv shape is what is under test),
// Run counts the commands run on the host.
type fakeHost struct {
	mu       sync.Mutex
	runs     int
	commands [][]string
	forwards [][]sshworker.SocketForward
}

func (f *fakeHost) remote(t *testing.T) (*agent.Remote, *sshdtest.Host, string) {
	r, host, ws := testHost(t)
	run := r.Run
	r.Run = func(ctx context.Context, remote []string, stdin io.Reader) ([]byte, error) {
		f.mu.Lock()
		f.runs++
		f.mu.Unlock()
		return run(ctx, remote, stdin)
	}
	r.Command = func(remote []string, forwards ...sshworker.SocketForward) ([]string, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.commands = append(f.commands, remote)
		f.forwards = append(f.forwards, forwards)
		line, err := sshworker.CommandLine(remote)
		return []string{"sh", "-c", line}, err
	}
	return r, host, ws
}

// Start on a host writes the private directory there (0700) with the env file, settings and
// MCP config (0600); a turn's ssh carries the forwards and a command line with neither the
// prompt nor the API key; Stop removes the directory.
func TestRemoteStartWritesPrivateFilesAndTurnArgv(t *testing.T) {
	fake := &fakeHost{}
	r, host, ws := fake.remote(t)
	root := host.Root
	dir, err := r.NewSessionDir(remoteSessionPrefix)
	if err != nil {
		t.Fatal(err)
	}
	fwd := sshworker.SocketForward{Remote: dir + "/mcp.sock", Local: "/tmp/symphony-mcp-x/sock"}
	s := New(Options{
		Command: "claude --model 'opus x'", Env: []string{"PATH=/local/bin", "HOME=/home/local", "ANTHROPIC_API_KEY=sk-secret-'quote"},
		WorkspaceRoot: root, Workspace: ws, Remote: r, PrivateDir: dir, Forwards: []sshworker.SocketForward{fwd},
		MCPServers:  map[string]any{"symphony": map[string]any{"command": "/srv/bin/symphony-0123"}},
		MountPoints: []string{ws + "/WORKFLOW.md", ws + "/a b", ws + "/.claude"},
	})
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("private directory on the host: %v %v, want 0700", fi, err)
	}
	for _, name := range []string{"env", "settings.json", "mcp_config.json", sshworker.MountPointCandidatesFile} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s on the host: %v %v, want 0600", name, fi, err)
		}
	}
	env, _ := os.ReadFile(filepath.Join(dir, "env"))
	if !strings.Contains(string(env), `export ANTHROPIC_API_KEY='sk-secret-'\''quote'`) || strings.Contains(string(env), "PATH=") ||
		strings.Contains(string(env), "HOME=") || !strings.Contains(string(env), "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC") {
		t.Errorf("env file on the host:\n%s", env)
	}
	if mcp, _ := os.ReadFile(filepath.Join(dir, "mcp_config.json")); !strings.Contains(string(mcp), "/srv/bin/symphony-0123") {
		t.Errorf("mcp_config.json on the host: %s", mcp)
	}
	// A path the host's shell cannot be given is left out of the sweep.
	if got, _ := os.ReadFile(filepath.Join(dir, sshworker.MountPointCandidatesFile)); string(got) != ws+"/WORKFLOW.md\n"+ws+"/.claude\n" {
		t.Errorf("the mount point candidates on the host: %q", got)
	}
	argv, err := s.remoteArgv()
	if err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	remote, forwards := fake.commands[len(fake.commands)-1], fake.forwards[len(fake.forwards)-1]
	fake.mu.Unlock()
	if !slices.Equal(forwards, []sshworker.SocketForward{fwd}) {
		t.Errorf("turn forwards %v", forwards)
	}
	line := strings.Join(argv, " ")
	for _, leak := range []string{"sk-secret", "PROMPT"} {
		if strings.Contains(line, leak) {
			t.Errorf("the turn's command line holds %q: %s", leak, line)
		}
	}
	shell := remote[len(remote)-1]
	want := `exec 'claude' '--model' 'opus x' '--print' '--setting-sources' '' '--settings' '` + dir + `/settings.json' '--mcp-config' '` + dir + `/mcp_config.json'`
	if !strings.HasPrefix(shell, want) || !slices.Contains(remote, ws) || !slices.Contains(remote, dir) {
		t.Errorf("remote argv %q\nwant its shell command to start %s", remote, want)
	}
	if err := s.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("private directory on the host after Stop: %v", err)
	}
}

// Paths that could escape the workspace root or put the private directory inside the
// workspace are refused before anything runs on the host.
func TestRemoteStartRefusesBadPaths(t *testing.T) {
	fake := &fakeHost{}
	r, host, _ := fake.remote(t)
	root := host.Root
	cases := map[string][3]string{
		"outside the root":    {root, "/etc", root + "/.symphony/sessions/claude-1"},
		"shell in the path":   {root, root + "/demo/A-1;rm -rf ~", root + "/.symphony/sessions/claude-1"},
		"private in the tree": {root, root + "/demo/A-1", root + "/demo/A-1/.claude"},
	}
	for name, c := range cases {
		s := New(Options{Command: "claude", WorkspaceRoot: c[0], Workspace: c[1], PrivateDir: c[2], Remote: r})
		if err := s.Start(t.Context()); err == nil {
			t.Errorf("%s: Start accepted workspace %s, private directory %s", name, c[1], c[2])
		}
	}
	if fake.runs != 0 {
		t.Errorf("%d commands ran on the host for refused sessions", fake.runs)
	}
}

// A kept conversation continues on a host only when the host's Claude config directory (from
// the session's environment there) still holds its transcript.
func TestRemoteResumeLooksForTheTranscriptOnTheHost(t *testing.T) {
	fake := &fakeHost{}
	r, host, ws := fake.remote(t)
	config := filepath.Join(host.Home, "claude-config")
	if err := os.MkdirAll(filepath.Join(config, "projects", "-srv-ws"), 0o700); err != nil {
		t.Fatal(err)
	}
	kept := "0b5c7d2e-1111-4222-8333-444455556666"
	if err := os.WriteFile(filepath.Join(config, "projects", "-srv-ws", kept+".jsonl"), []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id     string
		resume bool
	}{{kept, true}, {"9a9a9a9a-0000-4000-8000-000000000000", false}, {"../../etc/passwd", false}} {
		dir, err := r.NewSessionDir(remoteSessionPrefix)
		if err != nil {
			t.Fatal(err)
		}
		s := New(Options{Command: "claude", Env: []string{"CLAUDE_CONFIG_DIR=" + config}, WorkspaceRoot: host.Root, Workspace: ws,
			Remote: r, PrivateDir: dir, ResumeSession: c.id})
		if err := s.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := s.lastSession == c.id && s.ResumeErr() == nil; got != c.resume {
			t.Errorf("session %s: resumed %v (error %v), want %v", c.id, got, s.ResumeErr(), c.resume)
		}
		if !c.resume && s.ResumeErr() == nil {
			t.Errorf("session %s: no reason given for starting afresh", c.id)
		}
		if err := s.Stop(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
}

// The forwarded MCP socket lives in the session's directory on the host; a workspaces.root so
// long that its path cannot be a socket address is refused when the session is built.
func TestRemoteMCPSocketPathTooLongIsRefused(t *testing.T) {
	r, host, ws := testHost(t)
	r.SessionsRoot = filepath.Join(host.Root, strings.Repeat("d", 60), ".symphony", "sessions")
	cfg := config.Defaults()
	cfg.Agent.Runtime = RuntimeName
	_, err := newRuntimeSession(agent.SessionRequest{Config: &cfg, Remote: r, WorkspaceRoot: host.Root, Workspace: ws,
		Tools: &issueTools{}, MCPShim: agent.MCPShim{Executable: "/bin/true"}})
	if err == nil || !strings.Contains(err.Error(), "choose a shorter workspaces.root") {
		t.Fatalf("a session whose MCP socket path is too long: %v", err)
	}
}
