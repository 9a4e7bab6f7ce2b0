package orchestrator

import (
	"sync"

	"github.com/symphony-go/symphony/internal/agent"
)

// progressSlot carries a session's newest progress-only event to the loop. While one report
// waits in the loop's inbox, later events replace its content instead of queueing messages of
// their own, so an agent streaming hundreds of events a second costs the loop one wake per
// handling, and the loop never falls behind on events nobody schedules on. The event is held
// by value: an offer copies it in place, and only the loop's take allocates.
type progressSlot struct {
	mu     sync.Mutex
	latest agent.Event
	// seq is latest's number in the session's events (eventSink.seq).
	seq     uint64
	has     bool
	pending bool
}

// offer makes ev, number seq, the newest event and reports whether the caller must send a
// report: false when one is already on its way, which will carry ev. An event without a
// session id is given sessionID, the session's newest, so the loop, which keeps only the
// newest event, still learns it.
func (p *progressSlot) offer(ev *agent.Event, seq uint64, sessionID string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latest, p.seq, p.has = *ev, seq, true
	if p.latest.SessionID == "" {
		p.latest.SessionID = sessionID
	}
	if p.pending {
		return false
	}
	p.pending = true
	return true
}

// take hands the loop the newest event and its number, nil when there is none, and frees
// the slot for the next report.
func (p *progressSlot) take() (*agent.Event, uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ev *agent.Event
	if p.has {
		latest := p.latest
		ev = &latest
	}
	seq := p.seq
	p.latest, p.seq, p.has, p.pending = agent.Event{}, 0, false, false
	return ev, seq
}
