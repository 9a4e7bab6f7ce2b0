package jsonl

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Waiting for running children holds no OS thread each: at two hundred agents a thread per
// child was a tenth of the service's memory. The children must still be seen to exit.
func TestWaitingForChildrenHoldsNoThreadEach(t *testing.T) {
	const children = 32
	before := threads(t)
	procs := make([]*Process, children)
	for i := range procs {
		procs[i], _ = child(t, "echo-stdin", raw)
	}
	// A goroutine blocked in a system call loses its processor to a new thread within
	// milliseconds; give every waiter ample time to have done so.
	time.Sleep(500 * time.Millisecond)
	if grown := threads(t) - before; grown >= children/2 {
		t.Fatalf("%d running children added %d threads", children, grown)
	}
	for _, p := range procs {
		p.CloseStdin()
	}
	for _, p := range procs {
		waitExit(t, p)
		if err := p.ExitErr(); err != nil {
			t.Fatalf("child %d: %v, want exit 0", p.PID(), err)
		}
	}
}

func threads(t *testing.T) int {
	t.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(rest))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no Threads line in /proc/self/status")
	return 0
}
