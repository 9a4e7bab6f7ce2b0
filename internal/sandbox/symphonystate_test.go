package sandbox

import (
	"errors"
	"slices"
	"testing"
)

const (
	testState   = "/var/lib/symphony"
	testLogs    = "/var/log/symphony"
	testConfig  = "/etc/symphony/symphony.yml"
	testSession = testState + "/sessions/ABC-1-x1"
)

func stateInput(edit func(*Input)) Input {
	in := codexInput()
	in.StateRoot, in.LogsRoot, in.ConfigFiles = testState, testLogs, []string{testConfig, testConfig}
	in.SessionDir, in.CodexHome = testSession, testSession+"/home"
	if edit != nil {
		edit(&in)
	}
	return in
}

func TestSymphonyStateDeniedInEveryLayer(t *testing.T) {
	p, err := Resolve(stateInput(nil))
	if err != nil {
		t.Fatal(err)
	}
	fs := codexFSMap(p)
	want := map[string]string{
		testState: "none", testLogs: "none", testConfig: "none",
		testSession: "write", testSession + "/home": "read", testSession + "/home/config.toml": "none",
	}
	for path, access := range want {
		if fs[path] != access {
			t.Errorf("codex filesystem[%s] = %q, want %q", path, fs[path], access)
		}
	}
	if _, ok := fs[testSession+"/home/auth.json"]; ok {
		t.Errorf("codex profile names the session auth.json link, which Codex refuses inside a writable directory")
	}

	srt, err := Resolve(stateInput(func(in *Input) { in.Permissions.OuterSandbox.Runtime = OuterSRT }))
	if err != nil {
		t.Fatal(err)
	}
	s, err := srt.SRTSettings()
	if err != nil {
		t.Fatal(err)
	}
	claude, err := Resolve(stateInput(func(in *Input) { in.Runtime = RuntimeClaude }))
	if err != nil {
		t.Fatal(err)
	}
	cf := claude.ClaudeFilesystem()
	for _, d := range []string{testState, testLogs, testConfig} {
		if !slices.Contains(s.Filesystem.DenyRead, d) {
			t.Errorf("srt denyRead lacks %s", d)
		}
		if !slices.Contains(cf.DenyRead, d) {
			t.Errorf("claude denyRead lacks %s", d)
		}
	}
	if n := count(s.Filesystem.DenyRead, testConfig); n != 1 {
		t.Errorf("srt denyRead names the config %d times", n)
	}
	// The default logs root lies inside the state root: one deny covers both, since bubblewrap
	// cannot mount a second one inside the first.
	nested, err := Resolve(stateInput(func(in *Input) { in.LogsRoot = testState + "/logs" }))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(nested.SymphonyState, []string{testState, testConfig}) {
		t.Errorf("nested logs root: state entries %v, want only the state root and the config", nested.SymphonyState)
	}
	if !slices.Contains(s.Filesystem.AllowWrite, testSession) {
		t.Errorf("srt allowWrite lacks the session dir, which srt must bind back over the denied state root")
	}
}

func TestSymphonyStateRejects(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Input)
		code  string
		field string
	}{
		{"carve-out re-allowing the state root", func(in *Input) {
			in.Permissions.Filesystem.AllowReadPaths = []string{testState + "/audit"}
		}, CodeProtectedReadPath, "agent.permissions.filesystem.allow_read_paths"},
		{"carve-out re-allowing the config", func(in *Input) {
			in.Permissions.Filesystem.AllowReadPaths = []string{"/etc/symphony"}
		}, CodeProtectedReadPath, "agent.permissions.filesystem.allow_read_paths"},
		{"workspace inside the state root", func(in *Input) { in.Workspace = testState + "/ws/ABC-1" }, CodeInvalidPath, "state_root"},
		{"workspace inside the logs root", func(in *Input) { in.Workspace = testLogs + "/ABC-1" }, CodeInvalidPath, "logs_root"},
		{"relative state root", func(in *Input) { in.StateRoot = "state" }, CodeMissingSessionPath, "state_root"},
		{"relative config file", func(in *Input) { in.ConfigFiles = []string{"symphony.yml"} }, CodeMissingSessionPath, "config_files"},
		{"session in the state root without its CODEX_HOME", func(in *Input) { in.CodexHome = "" }, CodeMissingSessionPath, "codex_home"},
		{"CODEX_HOME outside the session dir", func(in *Input) { in.CodexHome = "/srv/other/home" }, CodeMissingSessionPath, "codex_home"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Resolve(stateInput(tt.edit))
			var se *Error
			if !errors.As(err, &se) || se.Code != tt.code || se.Field != tt.field {
				t.Fatalf("err = %v, want %s at %s", err, tt.code, tt.field)
			}
		})
	}
	// srt needs no CODEX_HOME: it binds the whole session directory back.
	if _, err := Resolve(stateInput(func(in *Input) {
		in.CodexHome = ""
		in.Permissions.OuterSandbox.Runtime = OuterSRT
	})); err != nil {
		t.Fatalf("srt session without CODEX_HOME: %v", err)
	}
}

func count(list []string, s string) int {
	n := 0
	for _, e := range list {
		if e == s {
			n++
		}
	}
	return n
}
