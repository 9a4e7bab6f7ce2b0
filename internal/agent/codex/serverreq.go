package codex

import (
	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/jsonl"
)

// JSON-RPC error code for server requests the adapter does not implement.
const rpcMethodNotFound = -32601

// handleServerRequest answers every request Codex sends; an unanswered request would stall
// the turn. Approvals follow the configured policy, user input is never waited for,
// elicitations are declined, and tool calls go to the registry.
func (s *Session) handleServerRequest(f *jsonl.Frame, line []byte) {
	ev := agent.Event{Method: f.Method, Raw: eventRaw(line), RawTruncated: len(line) > eventRawBytes}
	switch f.Method {
	case "item/commandExecution/requestApproval", "item/fileChange/requestApproval":
		s.answerApproval(f, ev, "acceptForSession", "decline")
	case "execCommandApproval", "applyPatchApproval":
		s.answerApproval(f, ev, "approved_for_session", map[string]any{"denied": map[string]any{"rejection": declineReason}})
	case "item/permissions/requestApproval":
		p := paramsOrZero[permissionsParams](f)
		if s.opts.AutoApproveAll && len(p.Permissions) > 0 {
			s.reply(f.ID, map[string]any{"permissions": p.Permissions, "scope": "session"})
			ev.Kind, ev.Message = agent.EventApprovalAutoApproved, "permissions granted for the session"
		} else {
			s.reply(f.ID, map[string]any{"permissions": map[string]any{}})
			ev.Kind, ev.Message = agent.EventApprovalDeclined, "additional permissions declined by policy"
		}
		s.emitFrame(ev)
	case "item/tool/requestUserInput":
		// The turn ends here; the question goes to the issue, whose reply resumes the work.
		s.replyError(f.ID, rpcMethodNotFound, "symphony runs unattended and never waits for user input")
		p := paramsOrZero[userInputParams](f)
		question := questionText(p)
		ev.Kind, ev.Code, ev.Message = agent.EventTurnInputRequired, agent.CodeTurnInputRequired, question
		s.emitFrame(ev)
		s.st.endTurn(p.TurnID, agent.Errorf(agent.CodeTurnInputRequired, "%s", question))
	case "mcpServer/elicitation/request":
		s.reply(f.ID, map[string]any{"action": "decline"})
		ev.Kind, ev.Message = agent.EventApprovalDeclined, "MCP elicitation declined"
		s.emitFrame(ev)
	case "item/tool/call":
		s.startToolCall(f, ev)
	default:
		s.replyError(f.ID, rpcMethodNotFound, "symphony does not implement "+f.Method)
		ev.Kind, ev.Message = agent.EventOtherMessage, "unsupported server request "+f.Method+" answered with an error"
		s.emitFrame(ev)
	}
}

// declineReason is what the model is told when the configured policy declines an action.
const declineReason = "declined by Symphony's approval policy; try another approach"

func (s *Session) answerApproval(f *jsonl.Frame, ev agent.Event, accept, decline any) {
	p := paramsOrZero[approvalParams](f)
	if s.opts.AutoApproveAll {
		s.reply(f.ID, map[string]any{"decision": accept})
		ev.Kind, ev.Message = agent.EventApprovalAutoApproved, p.Command
	} else {
		s.reply(f.ID, map[string]any{"decision": decline})
		ev.Kind, ev.Message = agent.EventApprovalDeclined, p.Command
	}
	s.emitFrame(ev)
}

// startToolCall runs a dynamic tool in its own goroutine so a slow tool never holds up the
// processing of other frames.
func (s *Session) startToolCall(f *jsonl.Frame, ev agent.Event) {
	p, err := paramsOf[toolCallParams](f)
	if err != nil {
		s.reply(f.ID, toolFailure("malformed tool call: "+err.Error()))
		ev.Kind, ev.Message = agent.EventMalformed, "item/tool/call: "+err.Error()
		s.emitFrame(ev)
		return
	}
	if !s.hasTool(p.Tool) {
		s.reply(f.ID, toolFailure("unsupported tool: "+p.Tool))
		ev.Kind, ev.Message = agent.EventUnsupportedToolCall, p.Tool
		s.emitFrame(ev)
		return
	}
	ev.Kind, ev.Message = agent.EventToolCall, p.Tool
	s.emitFrame(ev)
	id := f.ID
	s.toolsWG.Add(1)
	go func() {
		defer s.toolsWG.Done()
		res := s.opts.Tools.Call(s.toolCtx, p.Tool, p.Arguments)
		s.reply(id, toolCallResult{Success: res.Success, ContentItems: []contentItem{{Type: "inputText", Text: res.Text}}})
	}()
}

func toolFailure(text string) toolCallResult {
	return toolCallResult{Success: false, ContentItems: []contentItem{{Type: "inputText", Text: text}}}
}
