package orchestrator

import (
	"sync"

	"github.com/symphony-go/symphony/internal/agent"
)

// progressSlot carries a session's newest progress-only event to the loop. While one report
// waits in the loop's inbox, later events replace its content instead of queueing messages of
// their own, so an agent streaming hundreds of events a second costs the loop one wake per
// handling, and the loop never falls behind on events nobody schedules on.
type progressSlot struct {
	mu      sync.Mutex
	latest  *agent.Event
	pending bool
}

// offer makes ev the newest event and reports whether the caller must send a report: false
// when one is already on its way, which will carry ev.
func (p *progressSlot) offer(ev agent.Event) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latest = &ev
	if p.pending {
		return false
	}
	p.pending = true
	return true
}

// take hands the loop the newest event and frees the slot for the next report.
func (p *progressSlot) take() *agent.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	ev := p.latest
	p.latest, p.pending = nil, false
	return ev
}
