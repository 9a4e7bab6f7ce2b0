package codex

import (
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/reaper"
)

func itoa(n int) string { return strconv.Itoa(n) }

// alive reports whether pid names a live, non-zombie process (whatever its start time).
func alive(pid int) bool {
	id, err := reaper.Identify(pid)
	return err == nil && id.Alive()
}

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

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func containsText(b []byte, s string) bool { return strings.Contains(string(b), s) }
