package sandbox_test

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
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/sandbox"
)

// runProfileTurn drives `codex app-server` directly with a minimal JSON-RPC exchange, selecting
// the managed permission profile by name (thread/start "permissions") and sending no legacy
// sandbox fields. The Codex adapter does not offer that selection yet, so this measures what
// it would get.
func runProfileTurn(t *testing.T, codexBin, ws, home, configTOML string, env []string, params sandbox.CodexParams) {
	t.Helper()
	priv := t.TempDir()
	codexHome, tmp := filepath.Join(priv, "home"), filepath.Join(priv, "tmp")
	for _, d := range []string{codexHome, tmp} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(codexHome, "config.toml"), configTOML+"\n[analytics]\nenabled = false\n\n[features]\nplugins = false\n")
	if err := os.Symlink(filepath.Join(home, ".codex", "auth.json"), filepath.Join(codexHome, "auth.json")); err != nil {
		t.Fatal(err)
	}

	args := []string{"app-server"}
	for _, ov := range params.ConfigOverrides {
		args = append(args, "--config", ov)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, codexBin, args...)
	cmd.Dir = ws
	cmd.Env = append(os.Environ(), append(env, "HOME="+home, "CODEX_HOME="+codexHome, "TMPDIR="+tmp)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = stdin.Close()
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	}()

	rpc := &miniRPC{t: t, in: stdin, out: bufio.NewReader(stdout), stderr: &stderr}
	rpc.call("initialize", map[string]any{"clientInfo": map[string]any{"name": "symphony-sandbox-test", "version": "0"}, "capabilities": map[string]any{"experimentalApi": true}})
	rpc.notify("initialized")
	res := rpc.call("thread/start", map[string]any{"cwd": ws, "approvalPolicy": params.ApprovalPolicy, "permissions": params.PermissionProfile})
	var thread struct {
		Thread struct{ ID string } `json:"thread"`
	}
	if err := json.Unmarshal(res, &thread); err != nil || thread.Thread.ID == "" {
		t.Fatalf("thread/start result %s: %v", res, err)
	}
	rpc.call("turn/start", map[string]any{"threadId": thread.Thread.ID, "cwd": ws, "approvalPolicy": params.ApprovalPolicy,
		"input": []any{map[string]any{"type": "text", "text": "probe the sandbox"}}})
	rpc.waitFor("turn/completed")
}

// miniRPC speaks the app-server's line-delimited JSON-RPC, declining every server request.
type miniRPC struct {
	t      *testing.T
	in     io.Writer
	out    *bufio.Reader
	stderr *strings.Builder
	nextID int
}

type rpcFrame struct {
	ID     *json.RawMessage `json:"id"`
	Method string           `json:"method"`
	Result json.RawMessage  `json:"result"`
	Error  json.RawMessage  `json:"error"`
}

func (c *miniRPC) send(v any) {
	b, _ := json.Marshal(v)
	if _, err := c.in.Write(append(b, '\n')); err != nil {
		c.t.Fatalf("write to app-server: %v\nstderr: %s", err, c.stderr)
	}
}

func (c *miniRPC) notify(method string) { c.send(map[string]any{"method": method}) }

func (c *miniRPC) call(method string, params any) json.RawMessage {
	c.nextID++
	id := c.nextID
	c.send(map[string]any{"id": id, "method": method, "params": params})
	for {
		f := c.read()
		if f.ID != nil && f.Method == "" && string(*f.ID) == fmt.Sprint(id) {
			if len(f.Error) > 0 {
				c.t.Fatalf("%s failed: %s", method, f.Error)
			}
			return f.Result
		}
	}
}

func (c *miniRPC) waitFor(method string) {
	for {
		if f := c.read(); f.Method == method {
			return
		}
	}
}

// read returns the next frame, answering server requests on the way. The process context
// bounds every read: a hung server is killed and the read fails.
func (c *miniRPC) read() rpcFrame {
	line, err := c.out.ReadBytes('\n')
	if err != nil {
		c.t.Fatalf("read from app-server: %v\nstderr: %s", err, c.stderr)
	}
	var f rpcFrame
	if err := json.Unmarshal(line, &f); err != nil {
		c.t.Fatalf("bad frame %q: %v", line, err)
	}
	if f.ID != nil && f.Method != "" {
		c.send(map[string]any{"id": f.ID, "result": map[string]any{"decision": "decline"}})
	}
	return f
}
