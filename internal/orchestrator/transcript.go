package orchestrator

import (
	"sync"
	"time"
	"unicode/utf8"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/issue"
)

// Transcript bounds. The ring keeps the recent events the loop already sees, so an operator can
// look at what an agent is doing without opening log files; it is not the full transcript.
const (
	// transcriptMessageBytes cuts one event's message.
	transcriptMessageBytes = 2048
	// transcriptIssueBytes caps one issue's ring: the oldest events go first when it is over.
	transcriptIssueBytes = 128 << 10
	// transcriptIssues caps how many issues keep a ring; the least recently updated is dropped.
	transcriptIssues = 1000
)

// TranscriptEvent is one agent event as the transcript keeps it: secrets redacted, message cut.
type TranscriptEvent struct {
	At        time.Time       `json:"at"`
	Kind      agent.EventKind `json:"event"`
	Message   string          `json:"message,omitempty"`
	SessionID string          `json:"session_id,omitempty"`
	RunID     string          `json:"run_id,omitempty"`
}

// Transcript is a copy of one issue's recent events, oldest first.
type Transcript struct {
	IssueID    string
	Identifier string
	RepoKey    string
	Events     []TranscriptEvent
}

// transcripts holds every issue's ring behind its own lock, outside the loop state: the loop
// appends (a short critical section), readers copy, and neither waits on the other's work.
type transcripts struct {
	mu       sync.Mutex
	perIssue int
	redact   func(string) string
	byIssue  map[string]*transcriptRing
}

// transcriptRing is one issue's recent events in a circular buffer: the oldest is at head and
// n are kept. The buffer grows up to the ring's size and is then reused, so an agent streaming
// thousands of events neither reallocates it nor leaves a trail of old arrays for the collector.
type transcriptRing struct {
	identifier, repoKey string
	events              []TranscriptEvent
	head, n             int
	bytes               int
	touched             time.Time
}

// push keeps te, dropping the oldest events while the ring holds more than size events or
// more than transcriptIssueBytes of messages; the newest event always stays.
func (r *transcriptRing) push(te TranscriptEvent, size int) {
	if r.n == len(r.events) {
		if len(r.events) < size {
			r.grow(min(size, max(8, 2*len(r.events))))
		} else {
			r.dropOldest()
		}
	}
	r.events[(r.head+r.n)%len(r.events)] = te
	r.n++
	r.bytes += len(te.Message)
	for r.bytes > transcriptIssueBytes && r.n > 1 {
		r.dropOldest()
	}
}

func (r *transcriptRing) dropOldest() {
	r.bytes -= len(r.events[r.head].Message)
	r.events[r.head] = TranscriptEvent{}
	r.head = (r.head + 1) % len(r.events)
	r.n--
}

// grow moves the events, oldest first, into a buffer of n, which the ring fills next.
func (r *transcriptRing) grow(n int) {
	grown := make([]TranscriptEvent, n)
	for i := range r.n {
		grown[i] = r.events[(r.head+i)%len(r.events)]
	}
	r.events, r.head = grown, 0
}

// ordered copies the events, oldest first.
func (r *transcriptRing) ordered() []TranscriptEvent {
	out := make([]TranscriptEvent, 0, r.n)
	for i := range r.n {
		out = append(out, r.events[(r.head+i)%len(r.events)])
	}
	return out
}

func newTranscripts(perIssue int, redact func(string) string) *transcripts {
	if redact == nil {
		redact = func(s string) string { return s }
	}
	return &transcripts{perIssue: perIssue, redact: redact, byIssue: map[string]*transcriptRing{}}
}

// add keeps one event of an attempt on is. Sessions call it from their event intake, off the
// loop, so the redaction it does never costs the loop; a nil transcripts keeps nothing.
func (t *transcripts) add(is issue.Issue, runID, sessionID string, ev *agent.Event, now time.Time) {
	if t == nil || t.perIssue == 0 {
		return
	}
	msg := ev.Message
	if len(msg) > transcriptMessageBytes {
		cut := transcriptMessageBytes
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	te := TranscriptEvent{At: now, Kind: ev.Kind, Message: t.redact(msg), SessionID: sessionID, RunID: runID}
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.byIssue[is.ID]
	if r == nil {
		if len(t.byIssue) >= transcriptIssues {
			t.evictOldest()
		}
		r = &transcriptRing{}
		t.byIssue[is.ID] = r
	}
	r.identifier, r.repoKey, r.touched = is.Identifier, is.RepoKey, now
	r.push(te, t.perIssue)
}

func (t *transcripts) evictOldest() {
	oldest := ""
	var at time.Time
	for id, r := range t.byIssue {
		if oldest == "" || r.touched.Before(at) {
			oldest, at = id, r.touched
		}
	}
	delete(t.byIssue, oldest)
}

// get copies the ring of the issue with the given id or identifier.
func (t *transcripts) get(idOrIdentifier string) (Transcript, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for id, r := range t.byIssue {
		if id == idOrIdentifier || r.identifier == idOrIdentifier {
			return Transcript{IssueID: id, Identifier: r.identifier, RepoKey: r.repoKey,
				Events: r.ordered()}, true
		}
	}
	return Transcript{}, false
}

// Transcript returns the recent agent events of the issue with the given id or identifier,
// oldest first. It never waits for the loop.
func (o *Orchestrator) Transcript(idOrIdentifier string) (Transcript, bool) {
	return o.transcripts.get(idOrIdentifier)
}
