package tui

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/symphony-go/symphony/internal/server"
)

// screenBuffer collects what the program writes to its "terminal".
type screenBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *screenBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *screenBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls the output (bounded) until it shows want.
func waitFor(t *testing.T, out *screenBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(ansi.Strip(out.String()), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the view did not show %q within 10s; it wrote:\n%s", want, ansi.Strip(out.String()))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRunDrawsUpdatesAndQuitsOnQ(t *testing.T) {
	root := stateRoot(t)
	orch := newFakeOrchestrator(snapshotRunning("ENG-1"))
	serveAPI(t, root, orch)
	in, typing := io.Pipe()
	defer typing.Close()
	out := &screenBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- Run(context.Background(), Options{Dial: func() (*server.Client, error) { return server.Dial(root) },
			DashboardURL: "http://127.0.0.1:4000/", Input: in, Output: out, Environ: []string{"TERM=xterm-256color"}})
	}()
	waitFor(t, out, "ENG-1")
	waitFor(t, out, "Dashboard: http://127.0.0.1:4000/")
	orch.publish(snapshotRunning("ENG-1", "ENG-22"))
	waitFor(t, out, "ENG-22")
	if _, err := typing.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after q: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s of q")
	}
	// The alternate screen is left on the way out, giving the operator's terminal back.
	screen := out.String()
	if entered, left := strings.LastIndex(screen, "\x1b[?1049h"), strings.LastIndex(screen, "\x1b[?1049l"); entered < 0 || left < entered {
		t.Errorf("the view did not leave the alternate screen on exit: %q", screen[max(len(screen)-300, 0):])
	}
}

func TestRunEndsWithItsContext(t *testing.T) {
	root := stateRoot(t)
	serveAPI(t, root, newFakeOrchestrator(snapshotRunning()))
	in, typing := io.Pipe()
	defer typing.Close()
	out := &screenBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{Dial: func() (*server.Client, error) { return server.Dial(root) }, Input: in, Output: out})
	}()
	waitFor(t, out, "no agents running")
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after its context ended: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s of its context ending")
	}
}

func TestRedrawIntervalBecomesAFrameRateCap(t *testing.T) {
	for redraw, want := range map[time.Duration]int{0: defaultFPS, 16 * time.Millisecond: 62, time.Second: 1, 5 * time.Second: 1, time.Millisecond: 1000} {
		if got := fps(redraw); got != want {
			t.Errorf("fps(%v) = %d, want %d", redraw, got, want)
		}
	}
}
