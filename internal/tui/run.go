package tui

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/symphony-go/symphony/internal/server"
)

// defaultFPS caps redraws when Options.RedrawInterval is not set; state events arrive at
// most every dashboard.snapshot_publish_ms, and a person cannot read faster than this anyway.
const defaultFPS = 10

// fps turns a least interval between redraws into Bubble Tea's frame-rate cap, which it
// clamps to 120.
func fps(redraw time.Duration) int {
	if redraw <= 0 {
		return defaultFPS
	}
	return max(int(time.Second/redraw), 1)
}

// The size assumed for an output that is not a terminal.
const (
	fallbackWidth  = 80
	fallbackHeight = 24
)

// Options wires the view to a terminal and a service.
type Options struct {
	// Dial reaches the service; it is called again for every reconnect, so a restarted
	// service is found wherever it now listens.
	Dial func() (*server.Client, error)
	// DashboardURL is shown in the header when set.
	DashboardURL string
	// Input and Output are the terminal.
	Input  io.Reader
	Output io.Writer
	// RedrawInterval is the least time between two redraws (dashboard.render_interval_ms);
	// zero means a tenth of a second.
	RedrawInterval time.Duration
	// Color styles the view (off for NO_COLOR).
	Color bool
	// Environ is the environment the terminal's capabilities are read from.
	Environ []string
}

// Run shows the live view until the operator quits (q, Esc or Ctrl-C), a SIGINT or SIGTERM
// arrives, or ctx ends; it never stops the service. Bubble Tea puts the terminal in raw mode
// on the alternate screen and restores it on every one of those exits.
func Run(ctx context.Context, opts Options) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m := newModel(Frame{Now: time.Now(), Width: fallbackWidth, DashboardURL: opts.DashboardURL, Link: "connecting…", Color: opts.Color}, time.Now)
	// A terminal reports its own size; the fallback is for an output that cannot.
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(opts.Input), tea.WithOutput(opts.Output),
		tea.WithEnvironment(opts.Environ), tea.WithFPS(fps(opts.RedrawInterval)), tea.WithWindowSize(fallbackWidth, fallbackHeight))
	var following sync.WaitGroup
	following.Go(func() { follow(ctx, opts.Dial, func(msg any) { p.Send(msg) }) })
	_, err := p.Run()
	cancel()
	following.Wait()
	switch {
	case err == nil, errors.Is(err, tea.ErrInterrupted):
		return nil
	case errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil:
		return nil
	}
	return err
}
