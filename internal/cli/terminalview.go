package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/server"
	"github.com/symphony-go/symphony/internal/tui"
)

// terminalView is the live view the service draws on its own terminal (dashboard.terminal).
// While it is open the logger's stderr copy is held back, because log lines written into the
// view's screen would tear it; the log file still gets every line.
type terminalView struct {
	out    io.Writer
	stderr *heldWriter
}

// newTerminalView returns the view when the configuration asks for it and the service runs
// on a terminal, else nil; stderr is what the logger should write its human copy to.
func newTerminalView(cmd *cobra.Command, cfg *config.Config) (view *terminalView, stderr io.Writer) {
	out, ok := terminalOut(cmd)
	if !cfg.Dashboard.Terminal || !ok {
		return nil, cmd.ErrOrStderr()
	}
	held := &heldWriter{w: cmd.ErrOrStderr()}
	return &terminalView{out: out, stderr: held}, held
}

// showStatus shows the service's status on stdout until ctx ends: the live view first when
// there is one, then (after the operator closes it) the one-line status on every change.
func (s *service) showStatus(ctx context.Context, cmd *cobra.Command, g *Globals, o *orchestrator.Orchestrator, dashboardURL string) {
	if v := s.terminal; v != nil {
		v.stderr.hold()
		err := tui.Run(ctx, tui.Options{
			Dial:           func() (*server.Client, error) { return server.Dial(g.StateRoot()) },
			DashboardURL:   dashboardURL,
			Input:          cmd.InOrStdin(),
			Output:         v.out,
			Color:          os.Getenv("NO_COLOR") == "",
			Environ:        os.Environ(),
			RedrawInterval: time.Duration(s.configs.Current().Dashboard.RenderIntervalMs) * time.Millisecond,
		})
		if dropped := v.stderr.release(); dropped > 0 {
			fmt.Fprintf(v.out, "terminal view closed; %d log writes while it was open are in %s\n", dropped, filepath.Join(g.LogsRoot(), "symphony.log"))
		}
		if err != nil {
			s.logger.Error("terminal view failed; printing the one-line status instead", "error", err.Error())
		}
		if ctx.Err() != nil {
			return
		}
	}
	printStatus(ctx, cmd.OutOrStdout(), o)
}

// heldWriter passes writes through, except while held, when it counts and drops them.
type heldWriter struct {
	mu      sync.Mutex
	w       io.Writer
	held    bool
	dropped int
}

func (h *heldWriter) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.held {
		h.dropped++
		return len(p), nil
	}
	return h.w.Write(p)
}

func (h *heldWriter) hold() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.held, h.dropped = true, 0
}

// release lets writes through again and says how many were dropped while held.
func (h *heldWriter) release() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.held = false
	return h.dropped
}
