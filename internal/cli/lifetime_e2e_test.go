package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/agent/reaper"
)

// lifetimeSleep is the command the scripted model has the agent run, so that a session has
// a long-lived command (and Codex its sandbox helpers) while the test kills the service.
const lifetimeSleep = "sleep 1201"

// newLifetimeE2E is an installation with one issue whose agent runs lifetimeSleep on every
// model request.
func newLifetimeE2E(t *testing.T) (*e2eEnv, string) {
	t.Helper()
	e := newE2E(t, "LIFE-1")
	steps := make([]codextest.Step, 400)
	for i := range steps {
		steps[i] = codextest.Step{Shell: lifetimeSleep}
	}
	// No start-up lookups of plugin and analytics hosts: offline they only cost time.
	e.writeConfig(t, codextest.NewResponses(t, steps...), "--config features.plugins=false", "--config analytics.enabled=false")
	return e, filepath.Join(e.dir, "workspaces", "demo", "LIFE-1")
}

// lifetimeCycles is how many kill or stop cycles a test runs: 10, or SYMPHONY_LIFETIME_CYCLES
// while iterating on the machinery.
func lifetimeCycles(t *testing.T) int {
	t.Helper()
	v := os.Getenv("SYMPHONY_LIFETIME_CYCLES")
	if v == "" {
		return 10
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("SYMPHONY_LIFETIME_CYCLES=%q is not a positive count", v)
	}
	return n
}

// proc is one process of a snapshot, named by pid and start time.
type proc struct {
	reaper.Identity
	args string
}

func snapshotTree(root int) []proc {
	var out []proc
	for _, pid := range reaper.Tree(root)[1:] {
		id, err := reaper.Identify(pid)
		if err != nil {
			continue
		}
		out = append(out, proc{Identity: id, args: cmdline(pid)})
	}
	return out
}

func cmdline(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
}

// relatedProcs lists the live processes that belong to this test's installation: those below
// the service, and any other process whose command line or working directory lies under the
// installation's directory (an agent helper reparented to init is found this way). escaped
// counts the related processes that were not below the service.
func relatedProcs(dir string, service int) (related []proc, escaped []proc) {
	below := map[int]bool{}
	for _, p := range reaper.Tree(service)[1:] {
		below[p] = true
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == service || pid == os.Getpid() {
			continue
		}
		args := cmdline(pid)
		cwd, _ := os.Readlink("/proc/" + e.Name() + "/cwd")
		if !below[pid] && !strings.Contains(args, dir) && cwd != dir && !strings.HasPrefix(cwd, dir+"/") {
			continue
		}
		id, err := reaper.Identify(pid)
		if err != nil || !id.Alive() {
			continue
		}
		related = append(related, proc{Identity: id, args: args})
		if !below[pid] {
			escaped = append(escaped, proc{Identity: id, args: args})
		}
	}
	return related, escaped
}

// waitForAgentSleep waits until the service's process tree runs the agent's sleep and
// returns the installation's processes at that moment (see relatedProcs). It fails if any
// of them has escaped from below the service.
func waitForAgentSleep(t *testing.T, e *e2eEnv, service *exec.Cmd, stderr *lockedBuffer) []proc {
	t.Helper()
	for end := time.Now().Add(90 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		tree := snapshotTree(service.Process.Pid)
		for _, p := range tree {
			if strings.HasPrefix(p.args, "sleep ") && strings.Contains(p.args, lifetimeSleep) {
				related, escaped := relatedProcs(e.dir, service.Process.Pid)
				if len(escaped) > 0 {
					t.Fatalf("%d agent processes are not below the service that runs them:%s", len(escaped), describeProcs(escaped))
				}
				return related
			}
		}
		if time.Now().After(end) {
			t.Fatalf("the agent never ran %q; tree %v\nstderr:\n%s", lifetimeSleep, tree, stderr)
		}
	}
}

// survivors lists the processes of tree still alive after waiting up to limit.
func survivors(tree []proc, limit time.Duration) []proc {
	end := time.Now().Add(limit)
	for {
		var left []proc
		for _, p := range tree {
			if p.Alive() {
				left = append(left, p)
			}
		}
		if len(left) == 0 || time.Now().After(end) {
			return left
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func describeProcs(ps []proc) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "\n  %d %.300s", p.PID, p.args)
	}
	return b.String()
}

// countHelpers counts the processes of Codex's sandbox in tree: bwrap and the helpers it runs.
func countHelpers(tree []proc) int {
	n := 0
	for _, p := range tree {
		if strings.Contains(p.args, "bwrap") || strings.Contains(p.args, "--codex-run-as-") || strings.Contains(p.args, "codex-linux-sandbox") {
			n++
		}
	}
	return n
}

// startService starts `symphony` with extra environment and ends its whole tree when the
// test ends, whatever happened.
func (e *e2eEnv) startService(t *testing.T, ctx context.Context, env ...string) (*exec.Cmd, *lockedBuffer) {
	t.Helper()
	cmd, _, _ := e.command(ctx, "--log-level", "debug")
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	cmd.Env = append(cmd.Env, env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, p := range snapshotTree(cmd.Process.Pid) {
			syscall.Kill(p.PID, syscall.SIGKILL)
		}
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd, stderr
}

// lockedBuffer is a service's stderr, read by the test while the service still writes it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// workspaceWatch samples the processes working in a workspace (by /proc/<pid>/cwd) and
// records every moment two agent sessions were there at once. A session is named by the
// supervisor above the process; a process with none above it is an orphan of its own.
type workspaceWatch struct {
	dir      string
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
	mu       sync.Mutex
	samples  int
	overlap  []string
	service  map[int]bool
}

func watchWorkspace(dir string) *workspaceWatch {
	w := &workspaceWatch{dir: dir, stop: make(chan struct{}), done: make(chan struct{}), service: map[int]bool{}}
	go w.run()
	return w
}

// addService tells the watch that pid is a symphony service, whose own children are not agents.
func (w *workspaceWatch) addService(pid int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.service[pid] = true
}

func (w *workspaceWatch) services() map[int]bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[int]bool, len(w.service))
	for p := range w.service {
		out[p] = true
	}
	return out
}

func (w *workspaceWatch) run() {
	defer close(w.done)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-tick.C:
		}
		sessions := w.sessions()
		w.mu.Lock()
		w.samples++
		if len(sessions) > 1 {
			w.overlap = append(w.overlap, fmt.Sprint(sessions))
		}
		w.mu.Unlock()
	}
}

// sessions maps each session found in the workspace to one of its processes.
func (w *workspaceWatch) sessions() map[string]string {
	entries, _ := os.ReadDir("/proc")
	out := map[string]string{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cwd, err := os.Readlink("/proc/" + e.Name() + "/cwd")
		if err != nil || (cwd != w.dir && !strings.HasPrefix(cwd, w.dir+"/")) {
			continue
		}
		if id, err := reaper.Identify(pid); err != nil || !id.Alive() {
			continue
		}
		if session := sessionOf(pid, w.services()); session != "" {
			out[session] = fmt.Sprintf("%d %.200s", pid, cmdline(pid))
		}
	}
	return out
}

// sessionOf names the agent session pid belongs to: its nearest supervisor ancestor. A
// process below a service but no supervisor is the service's own work (git, hooks), not an
// agent; one whose parents lead to init without either is an orphan, a session of its own.
// A chain broken by a process exiting mid-walk names nothing.
func sessionOf(pid int, services map[int]bool) string {
	for p, hops := pid, 0; hops < 64; hops++ {
		if p == 1 {
			return "orphan " + strconv.Itoa(pid)
		}
		// A supervisor's child between fork and exec still shows the supervisor's command
		// line, so the session is named by the outermost supervisor of the chain.
		if strings.HasPrefix(cmdline(p), "symphony-agent-supervisor ") {
			if parent := parentOf(p); parent > 0 && strings.HasPrefix(cmdline(parent), "symphony-agent-supervisor ") {
				p = parent
				continue
			}
			return "supervisor " + strconv.Itoa(p)
		}
		if services[p] {
			return ""
		}
		if p = parentOf(p); p <= 0 {
			return ""
		}
	}
	return ""
}

func parentOf(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 2 {
		return -1
	}
	p, _ := strconv.Atoi(fields[1])
	return p
}

func (w *workspaceWatch) finish() (samples int, overlap []string) {
	w.stopOnce.Do(func() { close(w.stop) })
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.samples, w.overlap
}

// TestKilledServiceLeavesNoAgentAndRestartNeverOverlaps kills the service with SIGKILL while
// its agent runs a long command, ten times, restarting it each time. Every process below the
// service (Codex, its shell, the sleep, the bwrap sandbox helpers) must be gone two seconds
// later, and a sampler of the processes working in the workspace must never see two agent
// sessions there at once. Secrets planted in the issue and the service's environment must be
// in no file the killed service left under its state root.
func TestKilledServiceLeavesNoAgentAndRestartNeverOverlaps(t *testing.T) {
	// Parallel: each cycle mostly waits for Codex to start.
	t.Parallel()
	e, ws := newLifetimeE2E(t)
	issueFile := filepath.Join(e.issues, "LIFE-1.md")
	body, err := os.ReadFile(issueFile)
	if err != nil {
		t.Fatal(err)
	}
	body = append(body, []byte("Use token "+secretGitHubToken+" and key "+secretAnthropic+".\n")...)
	if err := os.WriteFile(issueFile, body, 0o644); err != nil {
		t.Fatal(err)
	}
	e.env = append(e.env, "DEPLOY_TOKEN="+secretDeployToken, "GH_TOKEN="+secretGitHubToken)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	watch := watchWorkspace(ws)
	defer watch.finish()
	helpers := 0
	for cycle := range lifetimeCycles(t) {
		start := time.Now()
		service, stderr := e.startService(t, ctx)
		watch.addService(service.Process.Pid)
		tree := waitForAgentSleep(t, e, service, stderr)
		t.Logf("cycle %d: agent sleeping %s after the service started", cycle, time.Since(start).Round(time.Millisecond))
		helpers += countHelpers(tree)
		if err := service.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		service.Wait()
		if left := survivors(tree, 2*time.Second); len(left) > 0 {
			t.Fatalf("cycle %d: %d of %d agent processes alive 2s after SIGKILL of the service:%s",
				cycle, len(left), len(tree), describeProcs(left))
		}
		t.Logf("cycle %d: %d processes below the service, all gone", cycle, len(tree))
		if cycle == 0 {
			// What the killed service left behind (its session directory is reaped only by
			// the next start) holds none of the planted secrets.
			scanForSecrets(t, e.state, stderr.String())
		}
	}
	samples, overlap := watch.finish()
	if len(overlap) > 0 {
		t.Fatalf("two agent sessions in one workspace in %d of %d samples, first: %s", len(overlap), samples, overlap[0])
	}
	if samples < 50 {
		t.Fatalf("only %d workspace samples", samples)
	}
	t.Logf("%d workspace samples, no overlap; %d sandbox helper processes seen and killed", samples, helpers)
}

// TestStoppedServiceLeavesNoAgent stops the service cleanly (SIGTERM, or SIGINT as Ctrl-C
// sends) while its agent runs a long command, ten times: once the service has exited, no
// process that was below it may be left, sandbox helpers included.
func TestStoppedServiceLeavesNoAgent(t *testing.T) {
	// Parallel: each cycle mostly waits for Codex to start.
	t.Parallel()
	e, _ := newLifetimeE2E(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	for cycle := range lifetimeCycles(t) {
		sig := []syscall.Signal{syscall.SIGTERM, syscall.SIGINT}[cycle%2]
		service, stderr := e.startService(t, ctx)
		tree := waitForAgentSleep(t, e, service, stderr)
		start := time.Now()
		if err := service.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		if err := service.Wait(); err != nil {
			t.Fatalf("cycle %d: symphony did not exit cleanly on %v: %v\nstderr:\n%s", cycle, sig, err, stderr)
		}
		if left := survivors(tree, 0); len(left) > 0 {
			t.Fatalf("cycle %d: %d of %d processes survived a clean %v stop:%s", cycle, len(left), len(tree), sig, describeProcs(left))
		}
		t.Logf("cycle %d: %v stopped %d processes (%d sandbox helpers) in %s", cycle, sig, len(tree), countHelpers(tree), time.Since(start).Round(time.Millisecond))
	}
}

// TestTwoServicesNeverShareAWorkspace runs two services with separate state roots over one
// workspace root and one tracker: the second finds the workspace locked and waits, never
// starting an agent beside the first; once the first is killed, the second takes over.
func TestTwoServicesNeverShareAWorkspace(t *testing.T) {
	// Parallel: each cycle mostly waits for Codex to start.
	t.Parallel()
	e, ws := newLifetimeE2E(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	watch := watchWorkspace(ws)
	defer watch.finish()
	first, firstErr := e.startService(t, ctx)
	watch.addService(first.Process.Pid)
	firstTree := waitForAgentSleep(t, e, first, firstErr)
	second, secondErr := e.startService(t, ctx, "SYMPHONY_STATE_ROOT="+filepath.Join(e.dir, "state-2"))
	watch.addService(second.Process.Pid)
	for end := time.Now().Add(90 * time.Second); !strings.Contains(secondErr.String(), "workspace_locked"); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("the second service never reported the workspace locked\nstderr:\n%s", secondErr)
		}
	}
	if want := fmt.Sprintf("symphony pid %d", first.Process.Pid); !strings.Contains(secondErr.String(), want) {
		t.Errorf("the second service's workspace_locked does not name the holder (%s):\n%s", want, secondErr)
	}
	if n := len(snapshotTree(second.Process.Pid)); n != 0 {
		t.Fatalf("the second service runs %d processes while the workspace is locked", n)
	}
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	if left := survivors(firstTree, 2*time.Second); len(left) > 0 {
		t.Fatalf("the first service's agent outlived it:%s", describeProcs(left))
	}
	waitForAgentSleep(t, e, second, secondErr)
	samples, overlap := watch.finish()
	if len(overlap) > 0 {
		t.Fatalf("two agent sessions in one workspace in %d of %d samples, first: %s", len(overlap), samples, overlap[0])
	}
	t.Logf("%d workspace samples, no overlap", samples)
}
