package claude

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
)

// eventRawBytes bounds the line bytes attached to an event.
const eventRawBytes = 4 << 10

// turnState is what one turn has seen so far. It is owned by the turn's read loop.
type turnState struct {
	sessionID string
	// model is the model the system init line named.
	model string
	// open are the tool calls the model made that have no result yet, by tool_use id; the
	// command timer runs while any is open.
	open map[string]toolCall
	// result is the turn's terminal result line, once it arrived.
	result *line
	// rejected is the last rate-limit report that refused requests.
	rejected *rateLimitInfo
	lastText string
}

type toolCall struct {
	name    string
	command string
}

func newTurnState() *turnState { return &turnState{open: map[string]toolCall{}} }

// observe updates the state with one stream-json line and returns the events it maps to
// (digest §A.3). Events are returned without Time and PID; the caller stamps them.
func (st *turnState) observe(l line, raw []byte) []agent.Event {
	base := agent.Event{SessionID: st.sessionID, ThreadID: st.sessionID, Method: l.Type, Raw: rawOf(raw), RawTruncated: len(raw) > eventRawBytes}
	with := func(kind agent.EventKind, msg string) agent.Event {
		ev := base
		ev.Kind, ev.Message = kind, msg
		return ev
	}
	switch l.Type {
	case "system":
		if l.Subtype != "init" {
			return []agent.Event{with(agent.EventNotification, "system "+l.Subtype)}
		}
		st.sessionID, st.model = l.SessionID, l.Model
		ev := with(agent.EventSessionStarted, "")
		ev.SessionID, ev.ThreadID = l.SessionID, l.SessionID
		return []agent.Event{ev}
	case "assistant":
		return st.assistant(l, with)
	case "user":
		return st.toolResults(l, with)
	case "rate_limit_event":
		return st.rateLimit(l, base)
	case "result":
		if st.sessionID == "" {
			st.sessionID = l.SessionID
		}
		st.result = &l
		return nil
	}
	return []agent.Event{with(agent.EventOtherMessage, "stream-json "+l.Type)}
}

func (st *turnState) assistant(l line, with func(agent.EventKind, string) agent.Event) []agent.Event {
	if l.Message == nil {
		return []agent.Event{with(agent.EventMalformed, "assistant line without a message")}
	}
	var out []agent.Event
	for _, b := range l.Message.Content {
		switch b.Type {
		case "text":
			st.lastText = b.Text
			out = append(out, with(agent.EventNotification, agent.OutputPreview(b.Text)))
		case "tool_use":
			var input struct {
				Command string `json:"command"`
			}
			_ = json.Unmarshal(b.Input, &input)
			st.open[b.ID] = toolCall{name: b.Name, command: input.Command}
			out = append(out, with(agent.EventToolCall, b.Name))
		}
	}
	return out
}

func (st *turnState) toolResults(l line, with func(agent.EventKind, string) agent.Event) []agent.Event {
	if l.Message == nil {
		return nil
	}
	var out []agent.Event
	for _, b := range l.Message.Content {
		if b.Type != "tool_result" {
			continue
		}
		call, ok := st.open[b.ToolUseID]
		delete(st.open, b.ToolUseID)
		if !ok || call.name != "Bash" {
			continue
		}
		status := "completed"
		if b.IsError {
			status = "failed"
		}
		ev := with(agent.EventNotification, "command "+status)
		ev.Activity = &commandActivity{details: agent.ActivityDetails{
			Command: call.command, Status: status, Output: agent.OutputPreview(toolResultText(b.Content)),
		}}
		out = append(out, ev)
	}
	return out
}

// rateLimit reports the rate-limit state: allowed and allowed_warning are notifications,
// anything else refuses requests until the reset time and fails the turn.
func (st *turnState) rateLimit(l line, base agent.Event) []agent.Event {
	info := l.RateLimitInfo
	if info == nil {
		base.Kind, base.Message = agent.EventMalformed, "rate_limit_event without rate_limit_info"
		return []agent.Event{base}
	}
	payload, _ := json.Marshal(map[string]any{"limit_id": "claude", "status": info.Status, "rate_limit_type": info.RateLimitType,
		"resets_at": info.ResetsAt, "utilization": info.Utilization})
	base.Kind, base.RateLimits, base.Message = agent.EventRateLimits, payload, "rate limit "+info.Status
	if info.Status != "allowed" && info.Status != "allowed_warning" {
		st.rejected = info
	}
	return []agent.Event{base}
}

// openCommands names the tool calls still waiting for a result.
func (st *turnState) openCommands() string {
	var names []string
	for _, c := range st.open {
		if c.command != "" {
			names = append(names, c.name+" "+strconv.Quote(c.command))
		} else {
			names = append(names, c.name)
		}
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func rawOf(raw []byte) []byte {
	if len(raw) > eventRawBytes {
		return raw[:eventRawBytes]
	}
	return raw
}

var rateLimitText = regexp.MustCompile(`(?i)rate[\s_-]?limit|\b429\b|too many requests`)

// outcome is how the turn ended according to its stream: nil for a successful result, an
// *agent.Error otherwise. A turn without a result has no outcome yet (ok is false).
func (st *turnState) outcome() (err *agent.Error, ok bool) {
	r := st.result
	if r == nil {
		if st.rejected != nil {
			return rateLimited(st.rejected, ""), true
		}
		return nil, false
	}
	if r.Subtype == "success" && !r.IsError {
		return nil, true
	}
	reason := r.Subtype
	if reason == "success" {
		reason = "is_error"
	}
	text := strings.TrimSpace(r.Result + " " + strings.Join(r.Errors, "; "))
	switch {
	case st.rejected != nil:
		return rateLimited(st.rejected, text), true
	case r.APIErrorStatus != nil && *r.APIErrorStatus == 429, rateLimitText.MatchString(text):
		return agent.Errorf(agent.CodeRateLimited, "the model API refused the request for its rate limit: %s", text), true
	case r.APIErrorStatus != nil:
		return agent.Errorf(agent.CodeResponseError, "the model API answered HTTP %d: %s", *r.APIErrorStatus, text), true
	}
	return agent.Errorf(agent.CodeTurnFailed, "%s: %s", reason, text), true
}

func rateLimited(info *rateLimitInfo, text string) *agent.Error {
	msg := "status " + info.Status
	if info.RateLimitType != "" {
		msg += " (" + info.RateLimitType + ")"
	}
	if info.ResetsAt != nil {
		msg += ", resets at " + time.Unix(*info.ResetsAt, 0).UTC().Format(time.RFC3339)
	}
	if text != "" {
		msg += ": " + text
	}
	err := agent.Errorf(agent.CodeRateLimited, "%s", msg)
	if info.ResetsAt != nil {
		err.ResetAt = time.Unix(*info.ResetsAt, 0).UTC()
	}
	return err
}

// commandActivity is a Bash command the model ran, as its tool_result reported it.
type commandActivity struct{ details agent.ActivityDetails }

func (a *commandActivity) ActivityKind() agent.ActivityKind { return agent.ActivityCommand }

func (a *commandActivity) Describe() agent.ActivityDetails { return a.details }
