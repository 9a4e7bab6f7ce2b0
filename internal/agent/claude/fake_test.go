package claude

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/sandbox"
)

const fakeResult = `{"type":"result","subtype":"success","is_error":false,"result":"ok","session_id":"s1","usage":{"input_tokens":5,"output_tokens":2}}`

// fakeSession runs a shell script as claude. The script sees the argv Symphony built in "$@"
// and the prompt on stdin; it records both, the prompt file's mode and the settings
// directory's mode under dir.
func fakeSession(t *testing.T, body string, configure func(*Options)) (*Session, string) {
	t.Helper()
	root := t.TempDir()
	ws := filepath.Join(root, "ws")
	if err := os.Mkdir(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "claude")
	preamble := fmt.Sprintf(`#!/bin/sh
printf '%%s\n' "$@" > %[1]s/argv
cat > %[1]s/stdin
env > %[1]s/env
`, dir)
	if err := os.WriteFile(script, []byte(preamble+body), 0o755); err != nil {
		t.Fatal(err)
	}
	opts := Options{Command: script + " --model sonnet", Env: []string{"PATH=/usr/bin:/bin", "LINEAR_KEYLESS=1"},
		WorkspaceRoot: root, Workspace: ws, TempRoot: t.TempDir(), Settings: sandbox.ClaudeSettings{},
		TurnTimeout: 20 * time.Second, ResultGrace: 300 * time.Millisecond}
	if configure != nil {
		configure(&opts)
	}
	s := New(opts)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	return s, dir
}

func TestFakeTurnEndings(t *testing.T) {
	cases := []struct {
		name    string
		body    string
		code    agent.Code
		message string
		within  time.Duration
	}{
		{"result then exit 0", "echo '" + fakeResult + "'\n", "", "", 5 * time.Second},
		{"non-zero exit after a result is a finish", "echo '" + fakeResult + "'\nexit 3\n", "", "", 5 * time.Second},
		{"exit 0 without a result", "echo '{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s1\"}'\n", agent.CodeNoResultEvent, "without a result line", 5 * time.Second},
		{"non-zero exit without a result keeps stderr", "echo 'boom: no credentials' >&2\nexit 7\n", agent.CodeExitStatus, "boom: no credentials", 5 * time.Second},
		{"a lingering process after the result is ended after the grace", "echo '" + fakeResult + "'\nsleep 60\n", "", "", 5 * time.Second},
		{"malformed lines do not end the turn", "echo 'not json'\necho '" + fakeResult + "'\n", "", "", 5 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := fakeSession(t, c.body, nil)
			start := time.Now()
			res, err := s.RunTurn(context.Background(), "hello")
			if took := time.Since(start); took > c.within {
				t.Errorf("turn took %s", took)
			}
			if c.code == "" {
				if err != nil || res.LastMessage != "ok" || res.Usage.Total != 7 {
					t.Fatalf("turn = %+v, %v; want success with 7 tokens", res, err)
				}
				return
			}
			if agent.CodeOf(err) != c.code || !strings.Contains(err.Error(), c.message) {
				t.Fatalf("turn error %v, want %s mentioning %q", err, c.code, c.message)
			}
		})
	}
}

// The prompt reaches the child on stdin and never in its argv; the argv carries the
// operator's words, the private settings and MCP config, and --resume only when asked; the
// environment is the one given, and the private directory is 0700 and gone after Stop.
func TestFakeLaunchContract(t *testing.T) {
	for _, resume := range []bool{false, true} {
		t.Run(fmt.Sprintf("resume=%v", resume), func(t *testing.T) {
			s, dir := fakeSession(t, "echo '"+fakeResult+"'\n", func(o *Options) { o.Resume = resume })
			info, err := os.Stat(s.dir.path)
			if err != nil || info.Mode().Perm() != 0o700 {
				t.Fatalf("private dir %v mode %v", err, info.Mode())
			}
			for _, f := range []string{s.dir.settings(), s.dir.mcpConfig()} {
				if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("%s: %v", f, err)
				}
			}
			for turn := 1; turn <= 2; turn++ {
				prompt := fmt.Sprintf("SECRET-PROMPT-%d", turn)
				if _, err := s.RunTurn(context.Background(), prompt); err != nil {
					t.Fatal(err)
				}
				argv := readFile(t, filepath.Join(dir, "argv"))
				if strings.Contains(argv, "SECRET-PROMPT") {
					t.Errorf("the prompt is in argv:\n%s", argv)
				}
				if got := readFile(t, filepath.Join(dir, "stdin")); got != prompt {
					t.Errorf("stdin = %q, want %q", got, prompt)
				}
				for _, want := range []string{"--model\nsonnet\n", "--print\n", "--setting-sources\n\n--settings\n" + s.dir.settings() + "\n", "--mcp-config\n" + s.dir.mcpConfig() + "\n--strict-mcp-config\n", "--output-format\nstream-json\n", "--verbose\n"} {
					if !strings.Contains(argv, want) {
						t.Errorf("argv lacks %q:\n%s", want, argv)
					}
				}
				if wantResume := resume && turn == 2; strings.Contains(argv, "--resume\ns1\n") != wantResume {
					t.Errorf("turn %d resume=%v argv:\n%s", turn, resume, argv)
				}
			}
			env := readFile(t, filepath.Join(dir, "env"))
			if !strings.Contains(env, "LINEAR_KEYLESS=1") || !strings.Contains(env, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1") {
				t.Errorf("env:\n%s", env)
			}
			entries, _ := os.ReadDir(s.dir.path)
			if len(entries) != 2 {
				t.Errorf("private dir holds %d entries after the turns, want settings and MCP config only", len(entries))
			}
			path := s.dir.path
			if err := s.Stop(context.Background()); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("private dir remains after Stop: %v", err)
			}
		})
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
