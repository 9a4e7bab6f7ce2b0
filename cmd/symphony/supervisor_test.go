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

// initializedPackages runs this test binary with argv[0] argv0 and args under
// GODEBUG=inittrace=1 and returns the packages whose initialisation it traced.
func initializedPackages(t *testing.T, argv0 string, args ...string) []string {
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
		if len(f) > 1 && f[0] == "init" {
			pkgs = append(pkgs, f[1])
		}
	}
	return pkgs
}

// modulePackages are the service's own packages among pkgs, without the module prefix.
func modulePackages(pkgs []string) []string {
	var own []string
	for _, p := range pkgs {
		if rest, ok := strings.CutPrefix(p, modulePrefix); ok {
			own = append(own, rest)
		}
	}
	return own
}

// TestSupervisorExitsBeforeTheServicePackagesInitialise checks that an agent supervisor (this
// binary re-executed by internal/agent/reaper) runs and exits before the service's packages
// are initialised, which made every agent start cost tens of milliseconds of CPU, and before
// most of the libraries are: its package imports only low-level standard packages, so that
// fewer than half of the binary's initialisations precede it (when it lived in package
// reaper, whose imports included path/filepath and fmt, more than half did). The same binary
// started normally must trace the service's packages, or the check would prove nothing.
func TestSupervisorExitsBeforeTheServicePackagesInitialise(t *testing.T) {
	truePath, err := exec.LookPath("true")
	if err != nil {
		t.Skip("no true(1) on PATH")
	}
	normal := initializedPackages(t, "symphony.test", "-test.run=^$")
	if !slices.Contains(modulePackages(normal), "internal/config") {
		t.Fatalf("a normal start traced %v, without internal/config: the trace is not what this test expects", normal)
	}
	supervised := initializedPackages(t, "symphony-agent-supervisor", strconv.Itoa(os.Getpid()), "0", truePath, "true")
	for _, p := range modulePackages(supervised) {
		t.Errorf("the supervisor initialised %s before it ran (all: %v)", p, supervised)
	}
	if 2*len(supervised) >= len(normal) {
		t.Errorf("the supervisor ran after %d of the binary's %d package initialisations, want fewer than half: %v",
			len(supervised), len(normal), supervised)
	}
}
