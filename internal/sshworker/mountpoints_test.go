package sshworker

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/testenv"
)

// mountTree is a workspace and a session's private directory on a "host" (this machine) for
// the mount point scripts, with the list of candidates the private directory holds.
type mountTree struct {
	base, ws, dir string
}

// newMountTree makes base/ws (with .git and sub), base/outside and the private directory
// base/sessions/claude-a listing candidates, given relative to ws, in that order.
func newMountTree(t *testing.T, candidates ...string) mountTree {
	t.Helper()
	testenv.Tool(t, "stat")
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m := mountTree{base: base, ws: filepath.Join(base, "ws"), dir: filepath.Join(base, "sessions", "claude-a")}
	for _, d := range []string{filepath.Join(m.ws, ".git"), filepath.Join(m.ws, "sub"), filepath.Join(base, "outside")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(m.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, c := range candidates {
		paths = append(paths, filepath.Join(m.ws, c))
	}
	content, skipped := MountPointCandidates(paths)
	if len(skipped) > 0 {
		t.Fatalf("candidates %v skipped", skipped)
	}
	if err := os.WriteFile(filepath.Join(m.dir, MountPointCandidatesFile), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return m
}

// agentArgv runs the shell script agent in the workspace with the tree's workspace, base and
// private directory as $1, $2 and $3.
func (m mountTree) agentArgv(agent string) []string {
	return []string{"sh", "-c", "cd \"$1\" && " + agent, "fake-agent", m.ws, m.base, m.dir}
}

// launch runs agent (agentArgv) under SessionGroupCommand on a fake host and waits for it to
// end; it fails the test unless it exits 0.
func (m mountTree) launch(t *testing.T, agent string) {
	t.Helper()
	remote, err := SessionGroupCommand(m.dir, m.agentArgv(agent))
	if err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runRemoteOutput(t, remote); code != 0 {
		t.Fatalf("the launch exited %d: %s%s", code, out, errOut)
	}
}

// kill runs KillSessionCommand for the private directory and fails the test unless it exits 0.
func (m mountTree) kill(t *testing.T) {
	t.Helper()
	kill, err := KillSessionCommand(m.dir)
	if err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runRemoteOutput(t, kill); code != 0 {
		t.Fatalf("the kill exited %d: %s%s", code, out, errOut)
	}
}

// records lists the mount point records in the private directory.
func (m mountTree) records(t *testing.T) []string {
	t.Helper()
	found, err := filepath.Glob(filepath.Join(m.dir, mountRecordPrefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// bwrapLike is shell making, in the current directory, each path as bubblewrap makes a mount
// point: an empty 0444 file, or (with a trailing slash) an empty directory.
func bwrapLike(paths ...string) string {
	var b strings.Builder
	for _, p := range paths {
		if dir, ok := strings.CutSuffix(p, "/"); ok {
			b.WriteString("mkdir " + Quote(dir) + " && ")
			continue
		}
		b.WriteString(": > " + Quote(p) + " && chmod 444 " + Quote(p) + " && ")
	}
	return b.String() + "true"
}

// TestMountPointSweepTakesOnlyWhatBubblewrapMade plays a sandbox that is killed after making its
// mount points, beside everything else a killed agent could leave at a candidate path. The
// kill at the turn's end removes the mount points, deepest first (the candidates are listed
// parents first, so a removal in list order would find .claude not empty), and nothing else.
func TestMountPointSweepTakesOnlyWhatBubblewrapMade(t *testing.T) {
	installFakeSSH(t)
	testenv.Tool(t, "ps")
	m := newMountTree(t,
		"WORKFLOW.md", ".claude", ".claude/settings.json", ".claude/hooks", ".idea",
		"symphony.yml", ".git/config.lock", ".gitconfig", ".mcp.json", "keep.d", ".zshrc",
		".vscode", ".vscode/settings.json", "sub/a", ".profile", "extra")
	outside := filepath.Join(m.base, "outside")
	for _, f := range []string{filepath.Join(m.ws, ".mcp.json"), filepath.Join(outside, "target")} {
		if err := os.WriteFile(f, nil, 0o444); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(m.ws, "keep.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	m.launch(t, bwrapLike("WORKFLOW.md", ".claude/", ".claude/settings.json", ".idea/")+` &&
printf x > symphony.yml && chmod 444 symphony.yml &&
: > .git/config.lock &&
ln -s "$2/outside/target" .gitconfig &&
mkdir .zshrc && : > .zshrc/inside && chmod 444 .zshrc/inside &&
mkdir "$2/outside/vscode" && ln -s "$2/outside/vscode" .vscode && : > .vscode/settings.json && chmod 444 .vscode/settings.json &&
mv sub sub.old && mkdir sub && : > sub/a && chmod 444 sub/a &&
: > .profile && chmod 444 .profile && ln .profile "$2/outside/profile-link" &&
: > "$2/outside/extra" && chmod 444 "$2/outside/extra" &&
for r in "$3"/`+mountRecordPrefix+`*; do printf '%s %s %s\n' "$2/outside/extra" "$2/outside" "$(stat -L -c %d:%i "$2/outside")" >> "$r"; done`)
	if len(m.records(t)) != 1 {
		t.Fatalf("records after the launch: %v, want one", m.records(t))
	}
	m.kill(t)

	for _, gone := range []string{"WORKFLOW.md", ".claude", ".idea"} {
		if _, err := os.Lstat(filepath.Join(m.ws, gone)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the mount point %s is left: %v", gone, err)
		}
	}
	for _, kept := range []string{
		filepath.Join(m.ws, "symphony.yml"),            // a file with content
		filepath.Join(m.ws, ".git/config.lock"),        // a writable empty file
		filepath.Join(m.ws, ".gitconfig"),              // a symlink
		filepath.Join(outside, "target"),               // what it points to
		filepath.Join(m.ws, ".mcp.json"),               // there before the record
		filepath.Join(m.ws, "keep.d"),                  // an empty directory there before the record
		filepath.Join(m.ws, ".zshrc/inside"),           // a directory with content
		filepath.Join(outside, "vscode/settings.json"), // reached through a symlinked directory
		filepath.Join(m.ws, "sub/a"),                   // below an anchor that was replaced
		filepath.Join(m.ws, ".profile"),                // a file with two links
		filepath.Join(outside, "extra"),                // named in the record, not a candidate
	} {
		if _, err := os.Lstat(kept); err != nil {
			t.Errorf("%s was removed: %v", kept, err)
		}
	}
	if r := m.records(t); len(r) != 0 {
		t.Errorf("records after the sweep: %v", r)
	}
	if _, err := os.Stat(filepath.Join(m.dir, MountPointCandidatesFile)); err != nil {
		t.Errorf("the candidates after the sweep: %v", err)
	}
}

// A turn whose end never reached the host leaves its record; the next launch in the session
// removes what it names before its agent runs, once that turn's group is gone, and leaves the
// record of a group that still runs for the end of the turn.
func TestMountPointsOfAnEarlierTurnGoAtTheNextLaunch(t *testing.T) {
	installFakeSSH(t)
	testenv.Tool(t, "setsid")
	testenv.Tool(t, "ps")
	m := newMountTree(t, "WORKFLOW.md", ".claude", ".claude/settings.json")
	running := startSessionTree(t, m, bwrapLike("WORKFLOW.md")+" && echo ready && exec sleep 300")
	m.launch(t, `[ -e WORKFLOW.md ] || { echo "the mount point of a turn still running was removed" >&2; exit 1; }`)
	if n := len(m.records(t)); n != 2 {
		t.Fatalf("records with a turn still running: %d, want its own and the next launch's", n)
	}
	if err := syscall.Kill(-running, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitGroupReaped(t, running)
	m.launch(t, `[ ! -e WORKFLOW.md ] || { echo "the mount point of a killed turn is left" >&2; exit 1; }; `+bwrapLike(".claude/", ".claude/settings.json"))
	if _, err := os.Lstat(filepath.Join(m.ws, ".claude")); err != nil {
		t.Fatalf("the last launch's agent did not run: %v", err)
	}
	if n := len(m.records(t)); n != 1 {
		t.Fatalf("records after the last launch: %d, want its own", n)
	}
	m.kill(t)
	if _, err := os.Lstat(filepath.Join(m.ws, ".claude")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the last turn's mount point .claude is left: %v", err)
	}
}

// The kill at a turn's end waits for the group it kills to be gone before it sweeps, and
// RemoveSessionCommand and the start-up reap sweep too: both when the turn's end never came.
func TestMountPointsGoWithTheKillTheRemovalAndTheReap(t *testing.T) {
	installFakeSSH(t)
	testenv.Tool(t, "setsid")
	testenv.Tool(t, "ps")
	for _, end := range []string{"kill", "remove", "reap"} {
		t.Run(end, func(t *testing.T) {
			m := newMountTree(t, "WORKFLOW.md", ".idea")
			pgid := startSessionTree(t, m, bwrapLike("WORKFLOW.md", ".idea/")+` && { sleep 300 & echo ready; wait; }`)
			var remote []string
			var err error
			switch end {
			case "kill":
				remote, err = KillSessionCommand(m.dir)
			case "remove":
				if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				remote, err = RemoveSessionCommand(m.dir)
			case "reap":
				remote, err = ReapSessionsCommand(filepath.Dir(m.dir))
			}
			if err != nil {
				t.Fatal(err)
			}
			if code, out, errOut := runRemoteOutput(t, remote); code != 0 {
				t.Fatalf("%s exited %d: %s%s", end, code, out, errOut)
			}
			if left := groupMembers(t, pgid); len(left) > 0 {
				t.Errorf("processes %v of the agent's group outlived the %s", left, end)
			}
			for _, p := range []string{"WORKFLOW.md", ".idea"} {
				if _, err := os.Lstat(filepath.Join(m.ws, p)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("the mount point %s is left after the %s: %v", p, end, err)
				}
			}
			if end != "kill" {
				if _, err := os.Stat(m.dir); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("the session directory after the %s: %v", end, err)
				}
			}
		})
	}
}

// A session whose recorded group still runs after the removal's or the reap's wait keeps its
// directory, and with it the record, for a later removal or reap; the mount points stay under
// the live sandbox.
func TestRemovalKeepsTheRecordOfALiveGroup(t *testing.T) {
	installFakeSSH(t)
	testenv.Tool(t, "setsid")
	testenv.Tool(t, "ps")
	m := newMountTree(t, "WORKFLOW.md")
	startSessionTree(t, m, bwrapLike("WORKFLOW.md")+" && echo ready && exec sleep 300")
	remove, err := RemoveSessionCommand(m.dir)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runRemoteOutput(t, remove)
	if code == 0 || !strings.Contains(errOut, "still runs") {
		t.Fatalf("the removal under a live group exited %d: %s", code, errOut)
	}
	if len(m.records(t)) != 1 {
		t.Errorf("records after the refused removal: %v", m.records(t))
	}
	if _, err := os.Lstat(filepath.Join(m.ws, "WORKFLOW.md")); err != nil {
		t.Errorf("the mount point under a live sandbox was removed: %v", err)
	}
	// The reap kills the group the session's AgentGroupFile names; without it (a record of an
	// earlier turn whose group id another group now holds) the live group keeps the session.
	if err := os.Remove(filepath.Join(m.dir, AgentGroupFile)); err != nil {
		t.Fatal(err)
	}
	reap, err := ReapSessionsCommand(filepath.Dir(m.dir))
	if err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runRemoteOutput(t, reap); code != 0 || out != "0 1\n" {
		t.Errorf("the reap under a live group exited %d printing %q (%s), want 0 and \"0 1\" (removed, kept)", code, out, errOut)
	}
	if _, err := os.Lstat(filepath.Join(m.ws, "WORKFLOW.md")); err != nil {
		t.Errorf("the reap removed the mount point under a live sandbox: %v", err)
	}
	if len(m.records(t)) != 1 {
		t.Errorf("records after the reap kept the session: %v", m.records(t))
	}
}

// startSessionTree starts agent (shell in the workspace that prints "ready" once its mount
// points are made) under SessionGroupCommand on a fake host that runs it in a session of its
// own, as sshd does, and waits for the line. It returns the agent's process group, which the
// test's end kills.
func startSessionTree(t *testing.T, m mountTree, agent string) int {
	t.Helper()
	remote, err := SessionGroupCommand(m.dir, m.agentArgv(agent))
	if err != nil {
		t.Fatal(err)
	}
	_, _, pgid := startRemoteTree(t, remote, filepath.Join(m.dir, AgentGroupFile))
	return pgid
}

// waitGroupReaped waits until process group pgid has no process left, not even a zombie: the
// sweep takes a group as gone only then, and an orphan's zombie lasts until its new parent
// reaps it.
func waitGroupReaped(t *testing.T, pgid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(-pgid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("processes %v of group %d survived SIGKILL", groupMembers(t, pgid), pgid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestMountPointCandidatesLeaveOutWhatTheShellCannotBeGiven(t *testing.T) {
	content, skipped := MountPointCandidates([]string{"/srv/ws/WORKFLOW.md", "/srv/ws/a b", "relative", "/srv/ws/$(id)", "/", "/srv/ws/.claude"})
	if content != "/srv/ws/WORKFLOW.md\n/srv/ws/.claude\n" {
		t.Errorf("content %q", content)
	}
	if want := []string{"/srv/ws/a b", "relative", "/srv/ws/$(id)", "/"}; !slices.Equal(skipped, want) {
		t.Errorf("skipped %q, want %q", skipped, want)
	}
	for _, p := range []string{"relative", "/tmp/$(id)", "/tmp/../etc"} {
		if _, err := SessionGroupCommand(p, []string{"true"}); err == nil {
			t.Errorf("SessionGroupCommand accepted %q", p)
		}
		if _, err := KillSessionCommand(p); err == nil {
			t.Errorf("KillSessionCommand accepted %q", p)
		}
	}
	if _, err := SessionGroupCommand("/tmp/x", nil); err == nil {
		t.Error("empty agent argv accepted")
	}
}
