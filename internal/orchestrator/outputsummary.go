package orchestrator

import (
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/audit"
)

// outputSummaryInterval is the longest stretch of a session's streamed output one summary
// record covers. Intervals are measured on event times, so no timer runs for them.
const outputSummaryInterval = 10 * time.Second

// outputExcerptBytes bounds the redacted start and end of the streamed frames a summary keeps.
const outputExcerptBytes = 256

// streamedMethods are the notifications an agent sends many times a second while it writes:
// message, reasoning and command output deltas. None is a side effect (the completed command
// or file change is, and keeps its own record), so the audit log gets one summary per
// session per interval instead of a record each.
var streamedMethods = map[string]bool{
	"item/agentMessage/delta":           true,
	"item/reasoning/textDelta":          true,
	"item/reasoning/summaryTextDelta":   true,
	"item/commandExecution/outputDelta": true,
	"item/fileChange/outputDelta":       true,
}

// isStreamedOutput reports whether ev is a delta the summary coalesces.
func isStreamedOutput(ev agent.Event) bool {
	return ev.Kind == agent.EventNotification && ev.Activity == nil && streamedMethods[ev.Method]
}

// outputSummary accumulates one session's streamed frames for one interval. It keeps the
// first frame and the latest one whole (each at most the runtime's bounded Raw), so the
// excerpts can be redacted before they are cut.
type outputSummary struct {
	sessionID   string
	from, to    time.Time
	frames      int
	bytes       int64
	truncated   int
	methods     map[string]int
	first, last []byte
}

// add accounts for ev, whose frame is raw. The frame is only valid during the event callback,
// so the frames kept are copied; last reuses its buffer.
func (s *outputSummary) add(ev agent.Event, raw []byte) {
	if s.frames == 0 {
		s.sessionID, s.from = ev.SessionID, ev.Time
		s.methods = map[string]int{}
		s.first = append(s.first[:0], raw...)
	}
	s.to = ev.Time
	s.frames++
	s.bytes += int64(len(raw))
	if ev.RawTruncated {
		s.truncated++
	}
	s.methods[ev.Method]++
	s.last = append(s.last[:0], raw...)
}

// due reports whether ev must not join the summary so far: it belongs to another session or
// starts a new interval.
func (s *outputSummary) due(ev agent.Event) bool {
	return s.frames > 0 && (ev.SessionID != s.sessionID || ev.Time.Sub(s.from) >= outputSummaryInterval)
}

// take returns the summary's audit details and empties it; ok is false when it holds nothing.
// bytes counts the frame bytes the runtime handed over: a frame it cut short (counted in
// truncated_frames) counts only what was kept.
func (s *outputSummary) take() (sessionID string, at time.Time, details map[string]any, ok bool) {
	if s.frames == 0 {
		return "", time.Time{}, nil, false
	}
	methods := make(map[string]any, len(s.methods))
	for m, n := range s.methods {
		methods[m] = n
	}
	details = map[string]any{
		"frames": s.frames, "bytes": s.bytes, "truncated_frames": s.truncated, "methods": methods,
		"from":  s.from.UTC().Format(time.RFC3339Nano),
		"first": audit.Excerpt{Text: string(s.first), Max: outputExcerptBytes},
		"last":  audit.Excerpt{Text: string(s.last), Max: outputExcerptBytes, FromEnd: true},
	}
	sessionID, at = s.sessionID, s.to
	s.frames, s.bytes, s.truncated, s.methods = 0, 0, 0, nil
	return sessionID, at, details, true
}

// coalesce adds a streamed frame to the session's summary, recording the summary first when
// the frame starts a new interval or belongs to another session.
func (s *eventSink) coalesce(ev agent.Event, raw []byte) {
	s.mu.Lock()
	var post func()
	if s.summary.due(ev) {
		post = s.summaryRecordLocked()
	}
	s.summary.add(ev, raw)
	s.mu.Unlock()
	if post != nil {
		post()
	}
}

// flushSummary records the streamed output not yet summarized, when the attempt ends.
func (s *eventSink) flushSummary() {
	s.mu.Lock()
	post := s.summaryRecordLocked()
	s.mu.Unlock()
	if post != nil {
		post()
	}
}

// summaryRecordLocked takes the summary so far and returns the post of its audit record, to
// be made after s.mu is released since the post may wait for queue space.
func (s *eventSink) summaryRecordLocked() func() {
	sessionID, at, details, ok := s.summary.take()
	if !ok {
		return nil
	}
	ev := issueEvent(at, s.job.issue, s.job.runID, sessionID, audit.EventAgentOutputSummary, details)
	return func() { s.w.rec.appendAuditFromSession(ev) }
}
