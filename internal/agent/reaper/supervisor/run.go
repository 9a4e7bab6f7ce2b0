package supervisor

import (
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	// prSetChildSubreaper is PR_SET_CHILD_SUBREAPER from <linux/prctl.h>; package syscall
	// does not name it.
	prSetChildSubreaper = 36
	// killDeadline bounds the SIGKILL sweeps; a process stuck in the kernel cannot hold the
	// supervisor (and the workspace lock) forever.
	killDeadline = 5 * time.Second
)

// supervise runs the supervisor: args are the parent pid, the number of held files (fds
// 3 and up), the resolved program path and the agent's argv. It returns the exit code.
func supervise(args []string) int {
	if len(args) < 4 {
		complain("want PARENT-PID HELD-COUNT PATH ARGV..., got " + strconv.Quote(strings.Join(args, " ")))
		return 125
	}
	parent, err := strconv.Atoi(args[0])
	if err != nil {
		complain("parent pid " + strconv.Quote(args[0]) + ": " + err.Error())
		return 125
	}
	held, err := strconv.Atoi(args[1])
	if err != nil || held < 0 {
		complain("held file count " + strconv.Quote(args[1]) + " is not a count")
		return 125
	}
	// Held files stay with the supervisor: an agent that inherited the lock's open file
	// description could release it with flock(LOCK_UN).
	for fd := 3; fd < 3+held; fd++ {
		syscall.CloseOnExec(fd)
	}
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		complain("PR_SET_CHILD_SUBREAPER: " + errno.Error())
		return 125
	}
	stop := make(chan os.Signal, 4)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, ParentDeathSignal)
	childEvents := make(chan os.Signal, 1)
	signal.Notify(childEvents, syscall.SIGCHLD)
	// The parent-death signal could have fired before the handler above existed.
	if os.Getppid() != parent {
		return 125
	}
	child, err := syscall.ForkExec(args[2], args[3:], &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: []uintptr{0, 1, 2},
		Sys:   &syscall.SysProcAttr{Setpgid: true},
	})
	if err != nil {
		complain("start " + args[3] + ": " + err.Error())
		return 127
	}
	releaseStreams()
	// The supervisor itself stays out of the workspace: after the agent tree is gone the only
	// process left there would be one that is merely exiting.
	_ = os.Chdir("/")
	s := &supervisor{self: os.Getpid(), child: child}
	s.watch(parent, stop, childEvents)
	s.killDescendants()
	return s.exitCode()
}

// complain writes a supervisor's message to its stderr, which is the agent's.
func complain(msg string) { _, _ = os.Stderr.WriteString(Name + ": " + msg + "\n") }

// releaseStreams points the supervisor's stdin and stdout at /dev/null, so the service sees
// end-of-file when the agent's own processes close their copies. stderr stays for the
// supervisor's messages.
func releaseStreams() {
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return
	}
	defer null.Close()
	_ = syscall.Dup3(int(null.Fd()), 0, 0)
	_ = syscall.Dup3(int(null.Fd()), 1, 0)
}

type supervisor struct {
	self, child int
	status      syscall.WaitStatus
	childDone   bool
}

// watch returns when the agent's main process has exited, when the supervisor is told to
// stop, or when its parent is gone. The parent-death signal says the last: the kernel sends it
// each time the supervisor is reparented, to another thread of the service when the one that
// started it exits, and to a subreaper or init when the service is gone, so a check of the
// parent pid on each one tells the two apart. The supervisor used to poll its parent as well,
// four times a second, and each poll's system call kept the Go runtime's monitor thread
// spinning for a millisecond after it: an idle supervisor cost a millisecond of CPU a second.
func (s *supervisor) watch(parent int, stop, childEvents <-chan os.Signal) {
	for {
		select {
		case sig := <-stop:
			if sig == ParentDeathSignal && os.Getppid() == parent {
				// The thread that started us ended, not the service.
				continue
			}
			return
		case <-childEvents:
		}
		if s.reap(); s.childDone {
			return
		}
	}
}

// reap collects every exited child, orphans included, records the main child's status and
// reports whether any child is left. Being a subreaper, the supervisor has a descendant only
// while it has a child (an orphan is reparented to it), so "no child left" from wait4 is a
// complete answer that costs one system call instead of a walk of /proc.
func (s *supervisor) reap() (childrenLeft bool) {
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.ECHILD:
			return false
		case err != nil || pid <= 0:
			// pid 0: children are running; any other error: assume they are.
			return true
		}
		if pid == s.child {
			s.status, s.childDone = ws, true
		}
	}
}

// descendants lists the processes below the supervisor. A listing can miss a process forked
// or reparented while it is read; the callers loop until reap finds no child, so a missed
// process is found on a later pass.
func (s *supervisor) descendants() []int { return Tree(s.self)[1:] }

// killDescendants ends every process below the supervisor: SIGTERM first so shells can run
// their exit traps, then SIGKILL sweeps until none is left. Being a subreaper, the supervisor
// sees even processes that left the agent's group or session, since they are reparented here.
func (s *supervisor) killDescendants() {
	if !s.reap() {
		return
	}
	s.signalAll(s.descendants(), syscall.SIGTERM)
	for end := time.Now().Add(TermGrace); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if !s.reap() {
			return
		}
	}
	for end := time.Now().Add(killDeadline); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if !s.reap() {
			return
		}
		s.signalAll(s.descendants(), syscall.SIGKILL)
	}
	s.reap()
}

func (s *supervisor) signalAll(pids []int, sig syscall.Signal) {
	_ = syscall.Kill(-s.child, sig)
	for _, p := range pids {
		_ = syscall.Kill(p, sig)
	}
}

// exitCode passes the agent's exit on: its exit status, or the signal that killed it, raised
// again on the supervisor so the service sees the same ending.
func (s *supervisor) exitCode() int {
	switch {
	case !s.childDone:
		return 125
	case s.status.Signaled():
		sig := s.status.Signal()
		signal.Reset(sig)
		_ = syscall.Kill(s.self, sig)
		time.Sleep(time.Second)
		return 128 + int(sig)
	}
	return s.status.ExitStatus()
}
