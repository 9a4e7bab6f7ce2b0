package agent

import (
	"encoding/json"
	"time"
	"unicode/utf8"
)

// EventKind names a runtime event (SPEC §10.4).
type EventKind string

// Runtime events the orchestrator consumes.
const (
	// EventSessionStarted is emitted when each turn starts, carrying its new session id.
	EventSessionStarted       EventKind = "session_started"
	EventStartupFailed        EventKind = "startup_failed"
	EventTurnCompleted        EventKind = "turn_completed"
	EventTurnFailed           EventKind = "turn_failed"
	EventTurnCancelled        EventKind = "turn_cancelled"
	EventTurnEndedWithError   EventKind = "turn_ended_with_error"
	EventTurnInputRequired    EventKind = "turn_input_required"
	EventApprovalAutoApproved EventKind = "approval_auto_approved"
	EventApprovalDeclined     EventKind = "approval_declined"
	EventUnsupportedToolCall  EventKind = "unsupported_tool_call"
	EventToolCall             EventKind = "tool_call"
	EventNotification         EventKind = "notification"
	EventOtherMessage         EventKind = "other_message"
	EventMalformed            EventKind = "malformed"
	EventTokenUsage           EventKind = "token_usage"
	EventRateLimits           EventKind = "rate_limits"
	// EventIssueStateChanged is emitted when the agent moved its own issue through a scoped
	// tool; Message is the new state. The attempt then ends after its turn, as a success.
	EventIssueStateChanged EventKind = "issue_state_changed"
	// EventToolCallCompleted and EventToolCallFailed report how a scoped tool call ended;
	// Message is the tool's name. The run record counts them.
	EventToolCallCompleted EventKind = "tool_call_completed"
	EventToolCallFailed    EventKind = "tool_call_failed"
	// EventHumanInputRequested is emitted when the agent asked a human a question through
	// request_human_input; Question says what and where. The attempt ends after its turn and
	// the issue waits for a reply.
	EventHumanInputRequested EventKind = "human_input_requested"
)

// HumanQuestion is a question an agent posted on its issue for a human to answer.
type HumanQuestion struct {
	Text string
	// CommentID and CommentAuthor name the comment that asks it.
	CommentID     string
	CommentAuthor string
	// FromState is the issue's state when it asked.
	FromState string
}

// Event is one thing that happened in a session, stamped with the time it was observed and
// the agent process id.
type Event struct {
	Kind      EventKind
	Time      time.Time
	PID       int
	ThreadID  string
	TurnID    string
	SessionID string
	// Method is the protocol method that produced the event, when there was one.
	Method string
	// Message is a short human-readable summary (an error text, a declined command, ...).
	Message string
	// Raw is the protocol frame, truncated to a bounded size; nil when there was no frame.
	// It may not be valid JSON (malformed or truncated frames). It is valid only during the
	// EventSink's call: a runtime may hand out the memory of the line it read, and write the
	// next lines over it, so a consumer that keeps Raw copies it.
	Raw []byte
	// RawTruncated reports that Raw was cut short.
	RawTruncated bool
	// Usage is set on token_usage events: the new accepted totals and the delta they added.
	Usage      *TokenUsage
	UsageDelta *TokenUsage
	// Model is set on token_usage events when the runtime named the model the tokens were
	// spent on; the orchestrator prices the delta with it (agent.pricing).
	Model string
	// CostUSD is set on token_usage events when the runtime reported what the delta cost
	// itself (Claude's total_cost_usd); it wins over the price table.
	CostUSD *float64
	// RateLimits is the latest rate-limit payload, set on rate_limits events.
	RateLimits json.RawMessage
	// Code is set on failure events.
	Code Code
	// Activity is set on the event that reports a finished command or file change.
	Activity Activity
	// Question is set on human_input_requested events.
	Question *HumanQuestion
}

// ActivityKind names what an agent did in its workspace.
type ActivityKind string

// Activities runtimes report.
const (
	ActivityCommand    ActivityKind = "command"
	ActivityFileChange ActivityKind = "file_change"
)

// ActivityOutputPreviewRunes bounds the command output an Activity keeps: enough to say what
// happened, not a transcript.
const ActivityOutputPreviewRunes = 500

// Activity is something the agent did in the workspace, as the runtime reported it once done:
// a shell command it ran or files it changed. The orchestrator records it in the audit log
// without knowing any runtime's protocol.
type Activity interface {
	ActivityKind() ActivityKind
	// Describe returns the details.
	Describe() ActivityDetails
}

// ActivityDetails is what an Activity reports.
type ActivityDetails struct {
	Command string
	Cwd     string
	Status  string
	// ExitCode is nil when the runtime did not report one.
	ExitCode *int
	// Output is a preview of the command's output (see OutputPreview).
	Output string
	Paths  []string
}

// OutputPreview cuts command output to at most ActivityOutputPreviewRunes runes, with "…"
// when the output went on.
func OutputPreview(output string) string {
	if len(output) <= ActivityOutputPreviewRunes {
		// No more bytes than the limit is no more runes either.
		return output
	}
	runes := 0
	for i := range output {
		if runes == ActivityOutputPreviewRunes {
			return output[:i] + "…"
		}
		runes++
	}
	return output
}

// OutputPreviewOf is OutputPreview of output held in a buffer the caller reuses: only the
// preview is copied out, in one allocation (the conversion of a concatenation's operand is
// not a copy of its own). It steps through the bytes as ranging over a string does (an
// invalid byte is one rune); ranging over string(output) would copy them.
func OutputPreviewOf(output []byte) string {
	if len(output) <= ActivityOutputPreviewRunes {
		return string(output)
	}
	i := 0
	for range ActivityOutputPreviewRunes {
		switch {
		case i == len(output):
			return string(output)
		case output[i] < utf8.RuneSelf:
			// Command output is mostly ASCII, which needs no decoding.
			i++
		default:
			_, size := utf8.DecodeRune(output[i:])
			i += size
		}
	}
	if i == len(output) {
		return string(output)
	}
	return string(output[:i]) + "…"
}
