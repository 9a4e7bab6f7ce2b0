package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/testenv"
	"github.com/symphony-go/symphony/internal/tools/mcpserver"
)

// shimRegistry is a one-tool registry that records its calls.
type shimRegistry struct {
	mu    sync.Mutex
	calls []string
}

func (r *shimRegistry) Specs() []agent.ToolSpec {
	return []agent.ToolSpec{{Name: "tracker_get_issue", Description: "reads the issue",
		InputSchema: json.RawMessage(`{"type":"object","properties":{},"additionalProperties":false}`)}}
}

func (r *shimRegistry) Call(_ context.Context, name string, args json.RawMessage) agent.ToolResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, name+" "+string(args))
	return agent.ToolResult{Success: true, Text: `{"identifier":"ENG-1"}`}
}

func (r *shimRegistry) callLog() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// buildSymphony builds the real binary once per test into a temp dir.
func buildSymphony(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "symphony")
	build := exec.Command("go", "build", "-o", bin, "./cmd/symphony")
	build.Dir = testenv.ModuleRoot(t)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build symphony: %v\n%s", err, out)
	}
	return bin
}

// shimProcess is a running `symphony mcp-shim` with a line reader on its stdout.
type shimProcess struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	stderr *strings.Builder
	exited chan error
}

func startShim(t *testing.T, bin, token string, args ...string) *shimProcess {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"mcp-shim"}, args...)...)
	cmd.Env = append(os.Environ(), mcpserver.TokenEnv+"="+token)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &shimProcess{t: t, cmd: cmd, stdin: stdin, lines: make(chan string, 16), stderr: &strings.Builder{}, exited: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
		p.exited <- cmd.Wait()
	}()
	return p
}

func (p *shimProcess) send(id int, method, params string) {
	p.t.Helper()
	frame := fmt.Sprintf(`{"jsonrpc":"2.0","method":%q,"params":%s`, method, params)
	if id > 0 {
		frame += fmt.Sprintf(`,"id":%d`, id)
	}
	if _, err := io.WriteString(p.stdin, frame+"}\n"); err != nil {
		p.t.Fatalf("write to shim: %v", err)
	}
}

// recv decodes the next line of the shim's stdout, failing after ten seconds.
func (p *shimProcess) recv() map[string]json.RawMessage {
	p.t.Helper()
	select {
	case line, ok := <-p.lines:
		if !ok {
			p.t.Fatalf("shim stdout closed; stderr: %s", p.stderr)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			p.t.Fatalf("shim wrote %q: %v", line, err)
		}
		return m
	case <-time.After(10 * time.Second):
		p.t.Fatal("no reply from the shim within 10s")
		return nil
	}
}

// wait returns the shim's exit code, failing if it does not exit within ten seconds.
func (p *shimProcess) wait() int {
	p.t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(10 * time.Second):
		p.t.Fatal("shim did not exit within 10s")
		return -1
	}
}

func TestMCPShimBridgesStdioToTheSessionServer(t *testing.T) {
	bin := buildSymphony(t)
	for _, transport := range []mcpserver.Transport{mcpserver.TransportUnix, mcpserver.TransportTCP} {
		t.Run(string(transport), func(t *testing.T) {
			root, err := os.MkdirTemp("", "shim")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(root) })
			reg := &shimRegistry{}
			srv, err := mcpserver.Start(reg, mcpserver.Options{Root: root, Transport: transport, Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { srv.Close() })

			shim := startShim(t, bin, srv.Token(), srv.ShimArgs()[1:]...)
			if strings.Contains(strings.Join(shim.cmd.Args, " "), srv.Token()) {
				t.Fatal("the token is in the shim's argv")
			}
			shim.send(1, "initialize", `{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"0"}}`)
			if init := shim.recv(); !strings.Contains(string(init["result"]), `"name":"symphony"`) {
				t.Fatalf("initialize = %v", init)
			}
			shim.send(0, "notifications/initialized", `{}`)
			shim.send(2, "tools/list", `{}`)
			list := shim.recv()
			if string(list["id"]) != "2" || !strings.Contains(string(list["result"]), `"name":"tracker_get_issue"`) {
				t.Fatalf("tools/list = %v", list)
			}
			shim.send(3, "tools/call", `{"name":"tracker_get_issue","arguments":{}}`)
			call := shim.recv()
			want := `{"content":[{"type":"text","text":"{\"identifier\":\"ENG-1\"}"}],"isError":false}`
			if string(call["id"]) != "3" || string(call["result"]) != want {
				t.Fatalf("tools/call = %s %s, want %s", call["id"], call["result"], want)
			}
			if got := reg.callLog(); len(got) != 1 || got[0] != "tracker_get_issue {}" {
				t.Errorf("registry calls = %q", got)
			}
			shim.stdin.Close()
			if code := shim.wait(); code != 0 {
				t.Errorf("shim exit code after stdin EOF = %d, stderr: %s", code, shim.stderr)
			}
		})
	}
}

func TestMCPShimWithAWrongTokenGetsNothing(t *testing.T) {
	bin := buildSymphony(t)
	root, err := os.MkdirTemp("", "shim")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	reg := &shimRegistry{}
	srv, err := mcpserver.Start(reg, mcpserver.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })

	shim := startShim(t, bin, "not-the-session-token", srv.ShimArgs()[1:]...)
	shim.send(1, "tools/call", `{"name":"tracker_get_issue","arguments":{}}`)
	select {
	case line, ok := <-shim.lines:
		if ok {
			t.Fatalf("shim with a wrong token wrote %q", line)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not close the unauthenticated connection within 10s")
	}
	shim.wait()
	if got := reg.callLog(); len(got) != 0 {
		t.Errorf("registry called through a wrong token: %q", got)
	}
}

func TestMCPShimRefusals(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such.sock")
	tests := []struct {
		name, token string
		args        []string
		wantCode    int
		wantErr     string
	}{
		{"unreachable socket", "tok", []string{"--socket", missing}, ExitFailure, "cannot connect to unix " + missing},
		{"unreachable tcp", "tok", []string{"--tcp", "127.0.0.1:1"}, ExitFailure, "cannot connect to tcp 127.0.0.1:1"},
		{"no token", "", []string{"--socket", missing}, ExitUsage, mcpserver.TokenEnv + " is not set"},
		{"no address", "tok", nil, ExitUsage, "--socket PATH or --tcp 127.0.0.1:PORT is required"},
		{"both addresses", "tok", []string{"--socket", missing, "--tcp", "127.0.0.1:1"}, ExitUsage, "not both"},
		{"remote tcp", "tok", []string{"--tcp", "10.0.0.1:80"}, ExitUsage, "must be a loopback address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(mcpserver.TokenEnv, tt.token)
			code, stdout, stderr := runMain(append([]string{"mcp-shim"}, tt.args...)...)
			if code != tt.wantCode || !strings.Contains(stderr, tt.wantErr) || stdout != "" {
				t.Fatalf("exit %d stdout %q stderr %q, want exit %d and %q", code, stdout, stderr, tt.wantCode, tt.wantErr)
			}
		})
	}
}

func TestMCPShimIsHidden(t *testing.T) {
	_, stdout, _ := runMain("--help")
	if !strings.Contains(stdout, "doctor") || strings.Contains(stdout, "mcp-shim") {
		t.Errorf("mcp-shim is listed in help:\n%s", stdout)
	}
}
