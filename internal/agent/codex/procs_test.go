package codex

import (
	"os"
	"strconv"
	"testing"
	"time"
)

func itoa(n int) string { return strconv.Itoa(n) }

func alive(pid int) bool { return processAlive(pid) }

func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			cmdline, _ := os.ReadFile("/proc/" + itoa(pid) + "/cmdline")
			t.Fatalf("process %d (%q) is still alive", pid, cmdline)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
