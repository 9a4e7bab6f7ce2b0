package orchestrator

import (
	"fmt"

	"github.com/symphony-go/symphony/internal/prompt"
)

// PromptBuilder implements Prompts with internal/prompt: the repository's WORKFLOW.md template
// (or its compact bootstrap) on turn 1, continuation guidance afterwards.
type PromptBuilder struct {
	Builder *prompt.Builder
	Agent   prompt.Agent
	// Templates holds each repository's issue template, by repo key.
	Templates map[string]prompt.Template
	// PRTemplates holds each repository's prompts.pr template, by repo key; a repository
	// without one gets the built-in PR prompt.
	PRTemplates map[string]prompt.Template
	// Learnings returns the learnings block of a repository that opted in to it; nil or ""
	// for none. It is called from the worker, never from the loop, so it may read the store.
	Learnings func(repoKey string) string
}

// Prompt implements Prompts.
func (p *PromptBuilder) Prompt(in PromptInput) (string, error) {
	if in.Turn > 1 {
		return prompt.Continuation(prompt.Turn{Identifier: in.Issue.Identifier, Attempt: in.Attempt,
			Number: in.Turn, MaxTurns: in.MaxTurns, Agent: p.Agent}), nil
	}
	if in.PR != nil {
		res, err := p.Builder.FirstTurn(prompt.Request{Mode: prompt.ModePR, Template: p.PRTemplates[in.Issue.RepoKey], Agent: p.Agent,
			Issue: in.Issue, PR: in.PR, RepoKey: in.Issue.RepoKey, Workspace: in.Workspace})
		if err != nil {
			return "", err
		}
		return res.Text, nil
	}
	tpl, ok := p.Templates[in.Issue.RepoKey]
	if !ok {
		return "", fmt.Errorf("no WORKFLOW.md template for repository %q", in.Issue.RepoKey)
	}
	var learned string
	if p.Learnings != nil {
		learned = p.Learnings(in.Issue.RepoKey)
	}
	res, err := p.Builder.FirstTurn(prompt.Request{Mode: prompt.ModeIssue, Template: tpl, Agent: p.Agent, Issue: in.Issue,
		Attempt: in.Attempt, RepoKey: in.Issue.RepoKey, Workspace: in.Workspace, HumanAnswer: in.HumanAnswer,
		ReviewerComments: in.Context.ReviewerComments, CIFailure: in.Context.CIFailure, Conflict: in.Context.Conflict,
		Learnings: learned})
	if err != nil {
		return "", err
	}
	return res.Text, nil
}
