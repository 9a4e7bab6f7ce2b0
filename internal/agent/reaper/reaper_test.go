package reaper

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// serviceEnv makes the test binary play a service: it starts the shell script in the
// variable's value under a supervisor, prints the supervisor's pid and waits to be killed.
const serviceEnv = "SYMPHONY_REAPER_TEST_SERVICE"

// serviceThreadExitsEnv makes the playing service start its agent from a thread that then
// exits while the service lives on, which sends the supervisor its parent-death signal with
// its service alive.
const serviceThreadExitsEnv = "SYMPHONY_REAPER_TEST_THREAD_EXITS"

func TestMain(m *testing.M) {
	Init()
	if script := os.Getenv(serviceEnv); script != "" {
		os.Exit(playService(script))
	}
	os.Exit(m.Run())
}

func playService(script string) int {
	cmd, err := Command([]string{"sh", "-c", script})
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	cmd.Env = envWithout(serviceEnv)
	started := make(chan error)
	start := func() { started <- cmd.Start() }
	if os.Getenv(serviceThreadExitsEnv) != "" {
		// A goroutine that ends still locked to its thread takes the thread with it.
		start = func() {
			runtime.LockOSThread()
			started <- cmd.Start()
		}
	}
	go start()
	if err := <-started; err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println(cmd.Process.Pid)
	_ = cmd.Wait()
	return 0
}

func envWithout(name string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, name+"=") {
			env = append(env, kv)
		}
	}
	return env
}

// startPlayingService starts this test binary as a service (serviceEnv, set in env) and
// returns it with the pid of the supervisor it started.
func startPlayingService(t *testing.T, env ...string) (*exec.Cmd, int) {
	t.Helper()
	service := exec.Command(os.Args[0], "-test.run=^$")
	service.Env = append(os.Environ(), env...)
	out, err := service.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	startGroup(t, service)
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("service said %q: %v", line, err)
	}
	supervisor, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("service said %q", line)
	}
	return service, supervisor
}

// startGroup starts cmd in its own process group and kills the group when the test ends.
func startGroup(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, p := range Tree(cmd.Process.Pid) {
			syscall.Kill(p, syscall.SIGKILL)
		}
		cmd.Process.Kill()
		cmd.Wait()
	})
}

// withArgs returns the processes of tree whose argv is exactly args.
func withArgs(tree []int, args ...string) []int {
	want := []byte(strings.Join(args, "\x00") + "\x00")
	var out []int
	for _, p := range tree {
		if b, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/cmdline"); err == nil && bytes.Equal(b, want) {
			out = append(out, p)
		}
	}
	return out
}

// waitForArgs waits until the tree below root holds a process for every argv in want.
func waitForArgs(t *testing.T, root int, want ...[]string) []int {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		tree := Tree(root)
		var found []int
		for _, args := range want {
			found = append(found, withArgs(tree, args...)...)
		}
		if len(found) >= len(want) {
			return found
		}
		if time.Now().After(end) {
			t.Fatalf("processes %q never appeared below %d", want, root)
		}
	}
}

func identities(t *testing.T, pids []int) []Identity {
	t.Helper()
	var out []Identity
	for _, p := range pids {
		id, err := Identify(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

func waitAllDead(t *testing.T, ids []Identity, limit time.Duration) {
	t.Helper()
	end := time.Now().Add(limit)
	for _, id := range ids {
		for id.Alive() {
			if time.Now().After(end) {
				cmdline, _ := os.ReadFile("/proc/" + strconv.Itoa(id.PID) + "/cmdline")
				t.Fatalf("process %d (%q) still alive after %s", id.PID, cmdline, limit)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func ppid(t *testing.T, pid int) int {
	t.Helper()
	st, err := readStat(pid)
	if err != nil {
		t.Fatal(err)
	}
	return st.PPID
}

func TestTreeDiesWithItsServiceEvenOrphansInOtherSessions(t *testing.T) {
	for range 3 {
		// An orphan in a session of its own (as Codex's sandbox helpers are), a plain child,
		// and the agent itself.
		service, supervisor := startPlayingService(t, serviceEnv+"=(setsid sleep 1001 &); sleep 1002 & sleep 1003")
		found := waitForArgs(t, supervisor, []string{"sleep", "1001"}, []string{"sleep", "1002"}, []string{"sleep", "1003"})
		orphan := withArgs(Tree(supervisor), "sleep", "1001")[0]
		if got := ppid(t, orphan); got != supervisor {
			t.Fatalf("orphan's parent is %d, want the supervisor %d (a subreaper)", got, supervisor)
		}
		tree := identities(t, Tree(service.Process.Pid)[1:])
		if len(tree) < len(found)+1 {
			t.Fatalf("tree %v misses the sleeps %v", tree, found)
		}
		if err := service.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		waitAllDead(t, tree, 2*time.Second)
	}
}

// The supervisor stays when the thread that started it exits while the service runs on (the
// parent-death signal comes, its parent is alive), and still notices the service's death
// later, with no poll of its parent: the kernel sends the signal at each reparenting.
func TestTreeDiesWithItsServiceAfterTheStartingThreadExited(t *testing.T) {
	service, supervisor := startPlayingService(t, serviceEnv+"=sleep 1006", serviceThreadExitsEnv+"=1")
	waitForArgs(t, supervisor, []string{"sleep", "1006"})
	// The early signal has reached the supervisor, which stays while its parent lives.
	time.Sleep(300 * time.Millisecond)
	tree := identities(t, Tree(supervisor))
	if !tree[0].Alive() {
		t.Fatal("the supervisor left when the starting thread exited, with its service alive")
	}
	if err := service.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	waitAllDead(t, tree, 2*time.Second)
}

func TestSupervisorSweepsLeftoversAndPassesTheExitStatusOn(t *testing.T) {
	cmd, err := Command([]string{"sh", "-c", "sleep 1004 & echo $!; exit 3"})
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	startGroup(t, cmd)
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("Wait = %v, want exit status 3", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(stdout.String()))
	if err != nil {
		t.Fatalf("agent printed %q", stdout.String())
	}
	if st, err := readStat(pid); err == nil && st.State != 'Z' && strings.Contains(cmdlineOf(pid), "1004") {
		t.Fatalf("the agent's leftover sleep %d survived its supervisor", pid)
	}
}

func cmdlineOf(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return string(b)
}

func TestSupervisorStopsATreeThatIgnoresSIGTERM(t *testing.T) {
	cmd, err := Command([]string{"sh", "-c", `trap "" TERM; sleep 1005 & wait`})
	if err != nil {
		t.Fatal(err)
	}
	startGroup(t, cmd)
	waitForArgs(t, cmd.Process.Pid, []string{"sleep", "1005"})
	tree := identities(t, Tree(cmd.Process.Pid))
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("Wait = %v, want the agent's own ending (killed) passed on", err)
	}
	waitAllDead(t, tree, time.Second)
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("stopping took %s", took)
	}
}

func TestSupervisorKeepsHeldFilesButNotTheWorkspace(t *testing.T) {
	held, err := os.CreateTemp(t.TempDir(), "held")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	cmd, err := Command([]string{"sleep", "1006"}, held)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Dir = t.TempDir()
	startGroup(t, cmd)
	agent := waitForArgs(t, cmd.Process.Pid, []string{"sleep", "1006"})[0]
	holders := map[int]bool{}
	for _, pid := range []int{cmd.Process.Pid, agent} {
		fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range fds {
			if target, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); target == held.Name() {
				holders[pid] = true
			}
		}
	}
	if !holders[cmd.Process.Pid] || holders[agent] {
		t.Fatalf("held file open in %v; want the supervisor %d only, not the agent %d", holders, cmd.Process.Pid, agent)
	}
	// The agent works in the directory it was given; the supervisor stays out of it.
	if cwd, _ := os.Readlink(fmt.Sprintf("/proc/%d/cwd", agent)); cwd != cmd.Dir {
		t.Fatalf("agent cwd %q, want %q", cwd, cmd.Dir)
	}
	// It leaves right after starting the agent, so the agent can be seen a moment earlier.
	for end := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		cwd, _ := os.Readlink(fmt.Sprintf("/proc/%d/cwd", cmd.Process.Pid))
		if cwd == "/" {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("supervisor cwd %q, want /", cwd)
		}
	}
}

func TestCommandReportsAMissingProgram(t *testing.T) {
	if _, err := Command([]string{"no-such-program-for-reaper-test"}); !errors.Is(err, exec.ErrNotFound) {
		t.Fatalf("Command = %v, want exec.ErrNotFound", err)
	}
	if _, err := Command(nil); err == nil {
		t.Fatal("Command(nil) succeeded")
	}
}

func TestEndLeavesAReusedPidAlone(t *testing.T) {
	sleeper := exec.Command("sleep", "1007")
	startGroup(t, sleeper)
	id, err := Identify(sleeper.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	// The recorded process had this pid but started at another time: it is not this one.
	recorded := Identity{PID: id.PID, StartTime: id.StartTime + 1}
	if recorded.Alive() {
		t.Fatal("an identity with another start time counts as alive")
	}
	if err := End(recorded, time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if !id.Alive() {
		t.Fatal("End killed a process that only shares the recorded pid")
	}
}

func TestEndKillsAnUnsupervisedTreeThatIgnoresSIGTERM(t *testing.T) {
	root := exec.Command("sh", "-c", `trap "" TERM; sleep 1008 & wait`)
	startGroup(t, root)
	waitForArgs(t, root.Process.Pid, []string{"sleep", "1008"})
	tree := identities(t, Tree(root.Process.Pid))
	if err := End(tree[0], 5*time.Second); err != nil {
		t.Fatal(err)
	}
	waitAllDead(t, tree, time.Second)
}

func TestEndStopsASupervisorAndEverythingBelowIt(t *testing.T) {
	cmd, err := Command([]string{"sh", "-c", "(setsid sleep 1009 &); sleep 1010"})
	if err != nil {
		t.Fatal(err)
	}
	startGroup(t, cmd)
	waitForArgs(t, cmd.Process.Pid, []string{"sleep", "1009"}, []string{"sleep", "1010"})
	tree := identities(t, Tree(cmd.Process.Pid))
	if err := End(tree[0], 5*time.Second); err != nil {
		t.Fatal(err)
	}
	waitAllDead(t, tree, time.Second)
}

func TestIdentifyReadsStartTimeAndParent(t *testing.T) {
	self, err := Identify(os.Getpid())
	if err != nil || self.StartTime == 0 || !self.Alive() {
		t.Fatalf("Identify(self) = %+v, %v", self, err)
	}
	if _, err := Identify(1 << 30); err == nil {
		t.Fatal("Identify of a pid that cannot exist succeeded")
	}
	if got := ppid(t, os.Getpid()); got != os.Getppid() {
		t.Fatalf("parent from /proc = %d, want %d", got, os.Getppid())
	}
}
