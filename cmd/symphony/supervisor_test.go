package main

import (
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// modulePrefix marks the service's own packages in the runtime's init trace.
const modulePrefix = "github.com/symphony-go/symphony/"

// initializedModulePackages runs this test binary with argv[0] argv0 and args under
// GODEBUG=inittrace=1 and returns the service packages whose initialisation it traced.
func initializedModulePackages(t *testing.T, argv0 string, args ...string) []string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := &exec.Cmd{Path: self, Args: append([]string{argv0}, args...),
		Env: append(os.Environ(), "GODEBUG=inittrace=1"), SysProcAttr: &syscall.SysProcAttr{Setpgid: true}}
	cmd.WaitDelay = 10 * time.Second
	var stderr strings.Builder
	cmd.Stderr = &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: %v\n%s", argv0, err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		t.Fatalf("%s did not exit within 30s", argv0)
	}
	var pkgs []string
	for _, line := range strings.Split(stderr.String(), "\n") {
		// "init <package> @<start> ms, <duration> ms clock, ..."
		f := strings.Fields(line)
		if len(f) > 1 && f[0] == "init" && strings.HasPrefix(f[1], modulePrefix) {
			pkgs = append(pkgs, strings.TrimPrefix(f[1], modulePrefix))
		}
	}
	return pkgs
}

// TestSupervisorExitsBeforeTheServicePackagesInitialise checks that an agent supervisor (this
// binary re-executed by internal/agent/reaper) runs and exits before the service's packages
// are initialised, which made every agent start cost tens of milliseconds of CPU. The same
// binary started normally must trace those packages, or the check would prove nothing.
func TestSupervisorExitsBeforeTheServicePackagesInitialise(t *testing.T) {
	truePath, err := exec.LookPath("true")
	if err != nil {
		t.Skip("no true(1) on PATH")
	}
	normal := initializedModulePackages(t, "symphony.test", "-test.run=^$")
	if !slices.Contains(normal, "internal/config") {
		t.Fatalf("a normal start traced %v, without internal/config: the trace is not what this test expects", normal)
	}
	supervised := initializedModulePackages(t, "symphony-agent-supervisor", strconv.Itoa(os.Getpid()), "0", truePath, "true")
	for _, p := range supervised {
		if p != "internal/agent/reaper" {
			t.Errorf("the supervisor initialised %s before it ran (all: %v)", p, supervised)
		}
	}
}
