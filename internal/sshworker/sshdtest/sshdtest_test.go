package sshdtest

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestHostsAreSeparateAndSurviveARestart logs in to two hosts, checks each answers on its own
// port with the fleet's config, then stops one and checks ssh fails with its own status 255
// until the host is started again.
func TestHostsAreSeparateAndSurviveARestart(t *testing.T) {
	f := NewFleet(t)
	a, b := f.AddHost(), f.AddHost()
	if a.Port == b.Port || a.Root == b.Root {
		t.Fatalf("hosts share a port or root: %+v %+v", a, b)
	}
	for _, h := range []*Host{a, b} {
		got := strings.TrimSpace(h.Run(`printf '%s' "$SSH_CONNECTION"`))
		if fields := strings.Fields(got); len(fields) != 4 || fields[3] != strconv.Itoa(h.Port) {
			t.Fatalf("SSH_CONNECTION on %s = %q, want the server port %d", h.Addr(), got, h.Port)
		}
	}
	if got := strings.TrimSpace(a.Run(`printf '%s' "$HOME"`)); got != a.Home {
		t.Fatalf("HOME in a session = %q, want the host's own %q", got, a.Home)
	}
	a.Stop()
	cmd := exec.Command(f.SSH, "-T", "-F", f.ConfigFile, "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
		"-p", strconv.Itoa(a.Port), "127.0.0.1", "--", "true")
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 255 {
		t.Fatalf("ssh to a stopped host: %v, want exit status 255", err)
	}
	a.Start()
	if got := a.Run("echo back"); strings.TrimSpace(got) != "back" {
		t.Fatalf("after restart got %q", got)
	}
}
