package sshworker

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runRemoteOutput runs remote through the installed ssh and returns exit code, stdout, stderr.
func runRemoteOutput(t *testing.T, remote []string) (int, string, string) {
	t.Helper()
	argv, err := Transport{}.Argv(Host{Name: "w1"}, remote)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := sshCommand(ctx, argv)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	_ = cmd.Run()
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}

func TestRemoteWorkspaceLifecycle(t *testing.T) {
	installFakeSSH(t)
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(base, "ws@host%1=a:b,c+d")
	dir := filepath.Join(root, "ABC-123")

	prepare, err := PrepareWorkspaceCommand(root, dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, wantCreated := range []bool{true, false} {
		code, stdout, stderr := runRemoteOutput(t, prepare)
		if code != 0 {
			t.Fatalf("prepare %d exited %d: %s", i, code, stderr)
		}
		ws, err := ParseWorkspaceReport(dir, "Welcome to w1\n"+stdout)
		if err != nil {
			t.Fatal(err)
		}
		if ws.Created != wantCreated || ws.PhysicalPath != dir || ws.Path != dir {
			t.Fatalf("prepare %d: %+v, want created=%v at %s", i, ws, wantCreated, dir)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "file"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	remove, err := RemoveWorkspaceCommand(root, dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // the second removal finds nothing and still succeeds
		if code, _, stderr := runRemoteOutput(t, remove); code != 0 {
			t.Fatalf("remove %d exited %d: %s", i, code, stderr)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("workspace still there: %v", err)
	}
	if _, err := os.Stat(root); err != nil {
		t.Fatalf("root removed with the workspace: %v", err)
	}
}

func TestRemoteWorkspaceSymlinkEscapes(t *testing.T) {
	installFakeSSH(t)
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	root, outside := filepath.Join(base, "root"), filepath.Join(base, "outside")
	for _, d := range []string{root, filepath.Join(outside, "ws")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	keep := filepath.Join(outside, "ws", "keep")
	if err := os.WriteFile(keep, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A workspace replaced by a symlink, and a workspace reached through a symlinked parent.
	for _, link := range [][2]string{{filepath.Join(root, "EVIL-1"), filepath.Join(outside, "ws")}, {filepath.Join(root, "via"), outside}} {
		if err := os.Symlink(link[1], link[0]); err != nil {
			t.Fatal(err)
		}
	}

	for _, dir := range []string{filepath.Join(root, "EVIL-1"), filepath.Join(root, "via", "ws")} {
		prepare, err := PrepareWorkspaceCommand(root, dir)
		if err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := runRemoteOutput(t, prepare)
		if code != 0 {
			t.Fatalf("prepare exited %d: %s", code, stderr)
		}
		if _, err := ParseWorkspaceReport(dir, stdout); err == nil || !strings.Contains(err.Error(), "outside workspaces.root") {
			t.Fatalf("%s: got %v, want the escape refused", dir, err)
		}
	}

	remove, err := RemoveWorkspaceCommand(root, filepath.Join(root, "via", "ws"))
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runRemoteOutput(t, remove); code != 4 || !strings.Contains(stderr, "outside") {
		t.Fatalf("removal through a symlinked parent: exit %d, %q; want 4", code, stderr)
	}
	remove, err = RemoveWorkspaceCommand(root, filepath.Join(root, "EVIL-1"))
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runRemoteOutput(t, remove); code != 0 {
		t.Fatalf("removing a symlinked workspace: exit %d: %s", code, stderr)
	}
	if _, err := os.Lstat(filepath.Join(root, "EVIL-1")); !os.IsNotExist(err) {
		t.Fatalf("symlink not removed: %v", err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Fatalf("a file outside the root was deleted: %v", err)
	}
}

func TestRemoteWorkspaceLexicalRefusals(t *testing.T) {
	tests := []struct{ root, dir, want string }{
		{"/srv/ws", "/srv/other/ABC-1", "not inside"},
		{"/srv/ws", "/srv/ws", "not inside"},
		{"/srv/ws", "/srv/ws/../x", ". or .."},
		{"srv/ws", "srv/ws/ABC-1", "must be absolute"},
		{"/srv/ws", "/srv/ws/A;B", `contains ';'`},
		{"~/ws", "~/ws/A", `contains '~'`},
	}
	for _, tt := range tests {
		for name, build := range map[string]func(string, string) ([]string, error){"prepare": PrepareWorkspaceCommand, "remove": RemoveWorkspaceCommand} {
			if _, err := build(tt.root, tt.dir); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s(%q, %q): got %v, want %q", name, tt.root, tt.dir, err, tt.want)
			}
		}
	}
}

func TestParseWorkspaceReportNeedsEveryMarker(t *testing.T) {
	full := "symphony-workspace-created=yes\nsymphony-workspace-root=/srv/ws\nsymphony-workspace-path=/srv/ws/A\n"
	if ws, err := ParseWorkspaceReport("/srv/ws/A", full); err != nil || !ws.Created || ws.PhysicalPath != "/srv/ws/A" {
		t.Fatalf("full report: %+v, %v", ws, err)
	}
	for _, drop := range []string{"symphony-workspace-created=yes\n", "symphony-workspace-root=/srv/ws\n", "symphony-workspace-path=/srv/ws/A\n"} {
		if _, err := ParseWorkspaceReport("/srv/ws/A", strings.Replace(full, drop, "", 1)); err == nil {
			t.Errorf("report without %q accepted", drop)
		}
	}
	if _, err := ParseWorkspaceReport("/srv/ws/A", strings.Replace(full, "=yes", "=maybe", 1)); err == nil {
		t.Error("unknown created value accepted")
	}
}
