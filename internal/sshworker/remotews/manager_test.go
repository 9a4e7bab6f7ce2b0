package remotews_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/sshworker/remotews"
	"github.com/symphony-go/symphony/internal/sshworker/sshdtest"
	"github.com/symphony-go/symphony/internal/testenv"
	"github.com/symphony-go/symphony/internal/workspace"
)

var _ orchestrator.Workspaces = (*remotews.Manager)(nil)

// hostManager starts one real sshd and returns a manager for it whose workspaces.root is a
// directory of that host; it lives on this machine, so tests look at it directly.
func hostManager(t *testing.T, repos ...workspace.Repo) (*remotews.Manager, *sshdtest.Host, string) {
	t.Helper()
	fleet := sshdtest.NewFleet(t)
	host := fleet.AddHost()
	return managerFor(t, fleet, host, repos...), host, filepath.Join(host.Root, "workspaces")
}

func managerFor(t *testing.T, fleet *sshdtest.Fleet, host *sshdtest.Host, repos ...workspace.Repo) *remotews.Manager {
	t.Helper()
	h, err := sshworker.ParseHost(host.Addr())
	if err != nil {
		t.Fatal(err)
	}
	m, err := remotews.New(remotews.Options{
		Host:       h,
		Transport:  sshworker.Transport{Binary: fleet.SSH, ConfigFile: fleet.ConfigFile},
		Workspaces: workspace.Options{Root: filepath.Join(host.Root, "workspaces"), Repos: repos},
		LockRoot:   t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCloneWorkspaceLifecycleOnARealHost(t *testing.T) {
	m, _, root := hostManager(t, workspace.Repo{Key: "acme/app", Hooks: workspace.Hooks{
		AfterCreate: `env | grep '^SYMPHONY_' | sort > created.env; pwd -P > created.pwd`,
		BeforeRun:   `printf '%s' "$SYMPHONY_VERIFICATION_PORT" > port; printf '%s' "$HOSTILE" > hostile`,
	}})
	ctx := context.Background()
	iss := issue.Issue{ID: "id-1", Identifier: "ABC-1", RepoKey: "acme/app"}
	ws, err := m.Ensure(ctx, iss)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(root, "acme_app", "ABC-1")
	if ws.Path != want || !ws.CreatedNow || ws.Strategy != workspace.StrategyClone {
		t.Fatalf("Ensure = %+v, want a new clone workspace at %s", ws, want)
	}
	env := readFile(t, filepath.Join(want, "created.env"))
	for _, line := range []string{"SYMPHONY_HOOK=after_create", "SYMPHONY_ISSUE_IDENTIFIER=ABC-1", "SYMPHONY_ISSUE_ID=id-1",
		"SYMPHONY_REPO_KEY=acme/app", "SYMPHONY_WORKSPACE=" + want, "SYMPHONY_WORKSPACE_KEY=ABC-1", "SYMPHONY_WORKSPACE_STRATEGY=clone"} {
		if !strings.Contains(env, line+"\n") {
			t.Errorf("after_create env lacks %q:\n%s", line, env)
		}
	}
	if got := strings.TrimSpace(readFile(t, filepath.Join(want, "created.pwd"))); got != want {
		t.Errorf("after_create ran in %q, want %q", got, want)
	}
	again, err := m.Ensure(ctx, iss)
	if err != nil || again.CreatedNow || again.Path != want {
		t.Fatalf("second Ensure = %+v, %v; want the same workspace reused", again, err)
	}
	if err := m.Validate(ws); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	hostile := "$(touch " + filepath.Join(want, "pwned") + ")`id`'\""
	if err := m.BeforeRun(ctx, ws, map[string]string{"SYMPHONY_VERIFICATION_PORT": "4100", "HOSTILE": hostile}); err != nil {
		t.Fatalf("BeforeRun: %v", err)
	}
	if got := readFile(t, filepath.Join(want, "port")); got != "4100" {
		t.Errorf("before_run saw SYMPHONY_VERIFICATION_PORT=%q", got)
	}
	if got := readFile(t, filepath.Join(want, "hostile")); got != hostile {
		t.Errorf("before_run saw HOSTILE=%q, want it verbatim", got)
	}
	if _, err := os.Stat(filepath.Join(want, "pwned")); err == nil {
		t.Fatal("a variable value was executed on the host")
	}

	lock, err := m.Lock("acme/app", "ABC-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Remove(ctx, "acme/app", "id-1", "ABC-1"); workspace.CodeOf(err) != workspace.CodeLocked {
		t.Fatalf("Remove while locked = %v, want %s", err, workspace.CodeLocked)
	}
	lock.Close()
	if err := m.Remove(ctx, "acme/app", "id-1", "ABC-1"); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if _, err := os.Stat(want); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("workspace still there after Remove: %v", err)
	}
	if err := m.Remove(ctx, "acme/app", "id-1", "ABC-1"); err != nil {
		t.Fatalf("Remove of a missing workspace: %v", err)
	}
	if err := m.Validate(ws); workspace.CodeOf(err) != workspace.CodeFilesystem {
		t.Fatalf("Validate of a removed workspace = %v, want %s", err, workspace.CodeFilesystem)
	}
}

func TestHostileIdentifiersNeverReachTheHost(t *testing.T) {
	m, _, root := hostManager(t, workspace.Repo{Key: "app"})
	canary := filepath.Join(t.TempDir(), "pwned")
	for _, id := range []string{
		"ABC-1;touch " + canary, "$(touch " + canary + ")", "`touch " + canary + "`", "ABC 1", "../ABC-1",
		"ABC-1\ntouch " + canary, "-rf", "ABC'1", "A|B", "~root",
	} {
		_, err := m.Ensure(context.Background(), issue.Issue{ID: "x", Identifier: id, RepoKey: "app"})
		if workspace.CodeOf(err) != workspace.CodeInvalidIdentifier {
			t.Errorf("Ensure(%q) = %v, want %s", id, err, workspace.CodeInvalidIdentifier)
		}
		if err := m.Remove(context.Background(), "app", "x", id); workspace.CodeOf(err) != workspace.CodeInvalidIdentifier {
			t.Errorf("Remove(%q) = %v, want %s", id, err, workspace.CodeInvalidIdentifier)
		}
	}
	if _, err := os.Stat(canary); err == nil {
		t.Fatal("an identifier was executed")
	}
	if _, err := os.Stat(root); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("refused identifiers still created %s: %v", root, err)
	}
}

func TestSymlinkPlantedOnTheHostIsNeitherUsedNorFollowed(t *testing.T) {
	m, _, root := hostManager(t, workspace.Repo{Key: "app"})
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "keep"), "precious")
	if err := os.MkdirAll(filepath.Join(root, "app"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "app", "ABC-2")); err != nil {
		t.Fatal(err)
	}
	_, err := m.Ensure(context.Background(), issue.Issue{ID: "x", Identifier: "ABC-2", RepoKey: "app"})
	if err == nil {
		t.Fatal("Ensure accepted a workspace that is a symlink out of the root")
	}
	if err := m.Remove(context.Background(), "app", "x", "ABC-2"); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if got := readFile(t, filepath.Join(outside, "keep")); got != "precious" {
		t.Fatal("removal followed the symlink")
	}
	if _, err := os.Lstat(filepath.Join(root, "app", "ABC-2")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the planted link is still there: %v", err)
	}

	// A repository directory swapped for a link out of the root is refused before anything
	// is created through it.
	if err := os.Symlink(outside, filepath.Join(root, "other")); err != nil {
		t.Fatal(err)
	}
	m2 := managerForRoot(t, m, root, workspace.Repo{Key: "other"})
	_, err = m2.Ensure(context.Background(), issue.Issue{ID: "y", Identifier: "ABC-3", RepoKey: "other"})
	if workspace.CodeOf(err) != workspace.CodeOutsideRoot {
		t.Fatalf("Ensure through a linked repo dir = %v, want %s", err, workspace.CodeOutsideRoot)
	}
	if _, err := os.Stat(filepath.Join(outside, "ABC-3")); err == nil {
		t.Fatal("a workspace was created outside the root")
	}
}

func TestHookTimeoutEndsTheHooksProcessesOnTheHost(t *testing.T) {
	m, _, root := hostManager(t, workspace.Repo{Key: "app", Hooks: workspace.Hooks{
		BeforeRun: `sleep 300 & echo $! > bg.pid; sleep 300`,
		Timeout:   3 * time.Second,
	}})
	ctx := context.Background()
	ws, err := m.Ensure(ctx, issue.Issue{ID: "x", Identifier: "ABC-4", RepoKey: "app"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = m.BeforeRun(ctx, ws, nil)
	if workspace.CodeOf(err) != workspace.CodeHookTimeout || errors.Is(err, sshworker.ErrWorkerHostUnavailable) {
		t.Fatalf("BeforeRun = %v, want %s not blamed on the host", err, workspace.CodeHookTimeout)
	}
	if d := time.Since(start); d > 45*time.Second {
		t.Fatalf("the timeout took %s", d)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(readFile(t, filepath.Join(root, "app", "ABC-4", "bg.pid"))))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil && !isZombie(pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the hook's background process %d outlived the timeout", pid)
		}
		time.Sleep(100 * time.Millisecond)
	}
	entries, _ := filepath.Glob(filepath.Join(root, ".symphony-hook-*"))
	if len(entries) != 0 {
		t.Fatalf("hook process group records left behind: %v", entries)
	}
}

func TestWorktreeWorkspaceOnARealHost(t *testing.T) {
	testenv.Tool(t, "git")
	primary := filepath.Join(t.TempDir(), "primary")
	testenv.Git(t, filepath.Dir(primary), "init", "--quiet", "-b", "main", primary)
	testenv.Git(t, primary, "commit", "--quiet", "--allow-empty", "-m", "first")
	m, _, root := hostManager(t, workspace.Repo{Key: "app", Strategy: workspace.StrategyWorktree, PrimaryClone: primary})
	ctx := context.Background()
	ws, err := m.Ensure(ctx, issue.Issue{ID: "x", Identifier: "ABC-5", RepoKey: "app"})
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(root, "app", "ABC-5")
	if ws.Path != want || ws.Branch != "auto/ABC-5" || !ws.CreatedNow {
		t.Fatalf("Ensure = %+v", ws)
	}
	if got := testenv.GitOutput(t, want, "rev-parse", "--abbrev-ref", "HEAD"); got != "auto/ABC-5" {
		t.Fatalf("worktree is on %q", got)
	}
	if again, err := m.Ensure(ctx, issue.Issue{ID: "x", Identifier: "ABC-5", RepoKey: "app"}); err != nil || again.CreatedNow {
		t.Fatalf("second Ensure = %+v, %v", again, err)
	}
	if err := os.MkdirAll(filepath.Join(root, "app", "ABC-6"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Ensure(ctx, issue.Issue{ID: "y", Identifier: "ABC-6", RepoKey: "app"}); workspace.CodeOf(err) != workspace.CodeNotWorktree {
		t.Fatalf("Ensure over a plain directory = %v, want %s", err, workspace.CodeNotWorktree)
	}
	if err := m.Remove(ctx, "app", "x", "ABC-5"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(want); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("worktree still there: %v", err)
	}
	if got := testenv.GitOutput(t, primary, "branch", "--list", "auto/ABC-5"); got != "" {
		t.Fatalf("branch auto/ABC-5 kept though it holds nothing new: %q", got)
	}
	if got := testenv.GitOutput(t, primary, "worktree", "list", "--porcelain"); strings.Contains(got, "ABC-5") {
		t.Fatalf("worktree still registered:\n%s", got)
	}
}

func TestUnreachableHostIsTheHostsFault(t *testing.T) {
	m, host, _ := hostManager(t, workspace.Repo{Key: "app"})
	host.Stop()
	_, err := m.Ensure(context.Background(), issue.Issue{ID: "x", Identifier: "ABC-8", RepoKey: "app"})
	if !errors.Is(err, sshworker.ErrWorkerHostUnavailable) {
		t.Fatalf("Ensure on a stopped host = %v, want it to wrap %v", err, sshworker.ErrWorkerHostUnavailable)
	}
}

func TestCheckDiskUsesTheLastMeasurement(t *testing.T) {
	fleet := sshdtest.NewFleet(t)
	host := fleet.AddHost()
	h, _ := sshworker.ParseHost(host.Addr())
	m, err := remotews.New(remotews.Options{Host: h, Transport: sshworker.Transport{Binary: fleet.SSH, ConfigFile: fleet.ConfigFile},
		Workspaces: workspace.Options{Root: filepath.Join(host.Root, "ws"), Repos: []workspace.Repo{{Key: "app"}},
			Cleanup: workspace.Cleanup{MinFreeBytes: 1 << 62}},
		LockRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if st := m.CheckDisk(); st.PauseDispatch {
		t.Fatalf("CheckDisk before any measurement = %+v", st)
	}
	if _, err := m.Ensure(context.Background(), issue.Issue{ID: "x", Identifier: "ABC-9", RepoKey: "app"}); err != nil {
		t.Fatal(err)
	}
	if st := m.CheckDisk(); !st.PauseDispatch || st.FreeBytes == 0 || !strings.Contains(st.Reason, host.Addr()) {
		t.Fatalf("CheckDisk with an unreachable minimum = %+v, want a pause naming the host", st)
	}
}

func TestNewRefusesWhatCannotWorkRemotely(t *testing.T) {
	h, _ := sshworker.ParseHost("w1")
	for _, tt := range []struct {
		name string
		opts workspace.Options
	}{
		{"relative root", workspace.Options{Root: "ws", Repos: []workspace.Repo{{Key: "a"}}}},
		{"tilde root", workspace.Options{Root: "~/ws", Repos: []workspace.Repo{{Key: "a"}}}},
		{"dotdot root", workspace.Options{Root: "/srv/../etc", Repos: []workspace.Repo{{Key: "a"}}}},
		{"slash root", workspace.Options{Root: "/", Repos: []workspace.Repo{{Key: "a"}}}},
		{"no repos", workspace.Options{Root: "/srv/ws"}},
		{"relative primary", workspace.Options{Root: "/srv/ws", Repos: []workspace.Repo{{Key: "a", Strategy: workspace.StrategyWorktree, PrimaryClone: "repo"}}}},
		{"primary in root", workspace.Options{Root: "/srv/ws", Repos: []workspace.Repo{{Key: "a", Strategy: workspace.StrategyWorktree, PrimaryClone: "/srv/ws/a"}}}},
		{"hostile base branch", workspace.Options{Root: "/srv/ws", Repos: []workspace.Repo{{Key: "a", Strategy: workspace.StrategyWorktree, PrimaryClone: "/srv/repo", BaseBranch: "main;id"}}}},
		{"reserved key", workspace.Options{Root: "/srv/ws", Repos: []workspace.Repo{{Key: ".symphony"}}}},
		{"colliding keys", workspace.Options{Root: "/srv/ws", Repos: []workspace.Repo{{Key: "a/b"}, {Key: "a_b"}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := remotews.New(remotews.Options{Host: h, Workspaces: tt.opts, LockRoot: t.TempDir()})
			if workspace.CodeOf(err) != workspace.CodeInvalidOptions {
				t.Fatalf("New = %v, want %s", err, workspace.CodeInvalidOptions)
			}
		})
	}
}

func managerForRoot(t *testing.T, like *remotews.Manager, root string, repo workspace.Repo) *remotews.Manager {
	t.Helper()
	m, err := remotews.New(remotews.Options{Host: like.Host(), Transport: like.Transport(),
		Workspaces: workspace.Options{Root: root, Repos: []workspace.Repo{repo}}, LockRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func isZombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && len(s) > i+2 && s[i+2] == 'Z'
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRemoveKeepsACloneWithCommitsNoRemoteHas(t *testing.T) {
	testenv.Tool(t, "git")
	m, _, root := hostManager(t, workspace.Repo{Key: "app", Hooks: workspace.Hooks{
		AfterCreate: `git init -q . && git -c user.name=t -c user.email=t@t commit -q --allow-empty -m local`,
	}})
	ctx := context.Background()
	if _, err := m.Ensure(ctx, issue.Issue{ID: "x", Identifier: "ABC-10", RepoKey: "app"}); err != nil {
		t.Fatal(err)
	}
	err := m.Remove(ctx, "app", "x", "ABC-10")
	if err == nil || !strings.Contains(err.Error(), "commits no remote has") {
		t.Fatalf("Remove of a clone with unpushed commits = %v, want it kept", err)
	}
	if _, err := os.Stat(filepath.Join(root, "app", "ABC-10", ".git")); err != nil {
		t.Fatalf("the workspace with unpushed commits was removed: %v", err)
	}
}
