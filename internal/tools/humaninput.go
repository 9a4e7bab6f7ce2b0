package tools

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/tracker"
)

// HumanInputTool is the name request_human_input is advertised under, without a tracker
// prefix: it is Symphony's tool, whatever the tracker.
const HumanInputTool = "request_human_input"

// HumanInputMarker starts every question comment, so Symphony recognises its own questions
// (and never takes one for a reply) while people see only the text below it.
const HumanInputMarker = "<!-- symphony:human-input -->"

// maxQuestionRunes bounds a question: a human reads it in a tracker comment.
const maxQuestionRunes = 4000

// CodeInvalidQuestion is the error code of a blank or oversized question.
const CodeInvalidQuestion = "invalid_question"

func humanInputTool() *tool {
	return &tool{
		name: HumanInputTool,
		description: "Ask a human a question you cannot answer yourself (a missing credential, an ambiguous requirement, an approval). " +
			"Symphony posts it on the issue, moves the issue to its waiting state and ends this run after the current turn; " +
			"the next run starts when a human replies, with the reply in its prompt. End your turn right after calling it.",
		params: []param{{name: "question", kind: kindString, required: true, description: "the question, as a human should read it (Markdown, at most 4000 characters)"}},
		writes: true,
		run:    requestHumanInput,
	}
}

// QuestionComment is the comment body that asks question.
func QuestionComment(question string) string {
	return HumanInputMarker + "\n**The agent working on this issue needs an answer to continue:**\n\n" +
		strings.TrimSpace(question) + "\n\n_Reply in a comment; the work resumes after your reply._"
}

func requestHumanInput(ctx context.Context, h *Host, a args) (any, *toolError) {
	question := strings.TrimSpace(a.str("question"))
	switch {
	case question == "":
		return nil, fail(CodeInvalidQuestion, "question must not be blank")
	case utf8.RuneCountInString(question) > maxQuestionRunes:
		return nil, fail(CodeInvalidQuestion, "question is %d characters; at most %d", utf8.RuneCountInString(question), maxQuestionRunes)
	}
	if terr := h.refuseSecrets(ctx, HumanInputTool, "question", question); terr != nil {
		return nil, terr
	}
	c, err := h.opts.Tracker.CreateComment(ctx, h.opts.Issue.ID, QuestionComment(question))
	if err != nil {
		return nil, trackerFailure("posting the question", err)
	}
	if err := h.opts.Comments.Own(ctx, h.opts.Issue.ID, c.ID); err != nil {
		h.opts.Logger.Warn("comment ownership not recorded", "comment_id", c.ID, "error", err.Error())
	}
	// The question is asked once it is posted: a tracker without the waiting state still gets
	// the issue parked, by Symphony's own record of the question.
	state, moved := h.opts.HumanInputState, false
	if state != "" {
		err := h.opts.Tracker.UpdateIssueState(ctx, h.opts.Issue.ID, state)
		switch {
		case err == nil:
			moved = true
			// The agent parked its own issue: without this the orchestrator's next poll sees it
			// leave its active states and interrupts the turn that asked, and Codex then drops
			// that turn from the conversation the reply is meant to continue.
			h.emit(agent.EventIssueStateChanged, state)
		case tracker.IsCode(err, tracker.CodeStateNotFound):
			h.opts.Logger.Info("the tracker has no waiting state; Symphony holds the issue itself", "state", state)
		default:
			h.opts.Logger.Warn("moving the issue to its waiting state failed; Symphony holds the issue itself", "state", state, "error", err.Error())
		}
	}
	if h.opts.Events != nil {
		h.opts.Events(agent.Event{Kind: agent.EventHumanInputRequested, Message: question, Question: &agent.HumanQuestion{
			Text: question, CommentID: c.ID, CommentAuthor: c.Author, FromState: h.opts.Issue.State,
		}})
	}
	out := map[string]any{"comment_id": c.ID, "waiting": true,
		"next": "End your turn now. This run ends after it; the next one starts with the human's reply."}
	if moved {
		out["state"] = state
	}
	return out, nil
}
