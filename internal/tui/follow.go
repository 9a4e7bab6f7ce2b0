package tui

import (
	"context"
	"fmt"
	"time"

	"github.com/symphony-go/symphony/internal/server"
)

// Reconnect delays: the first retry is quick (a service restart takes about a second), then
// each doubles up to the cap, so a stopped service costs one dial every few seconds.
const (
	firstReconnectDelay = 500 * time.Millisecond
	maxReconnectDelay   = 5 * time.Second
)

// stateMsg carries a state document from the event stream to the model.
type stateMsg struct{ state server.State }

// linkMsg tells the model how it is connected, or why it is not.
type linkMsg struct{ text string }

// follow streams the service's state until ctx ends: it dials, reads the event stream, and
// when the stream breaks or the service cannot be reached it says so and tries again after a
// growing delay. Every message goes to send, which must not block for long.
func follow(ctx context.Context, dial func() (*server.Client, error), send func(any)) {
	delay := firstReconnectDelay
	for {
		c, err := dial()
		if err == nil {
			send(linkMsg{text: "live from " + c.Via})
			err = c.Events(ctx, func(st server.State) {
				delay = firstReconnectDelay
				send(stateMsg{state: st})
			})
		}
		if ctx.Err() != nil {
			return
		}
		send(linkMsg{text: fmt.Sprintf("disconnected (%v); retrying in %s", err, delay)})
		wait := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			wait.Stop()
			return
		case <-wait.C:
		}
		delay = min(delay*2, maxReconnectDelay)
	}
}
