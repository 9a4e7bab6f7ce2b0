package prompt

import (
	"fmt"
	"strings"
)

// compactCommentLimit is how many recent comments the agent is told to load first.
const compactCommentLimit = 5

// Compact builds the small first-turn prompt sent when the full one is over the soft limit.
// It keeps the hard rules, the issue identifier and the dispatch context (review comments,
// CI failure, merge conflict, shortened but never dropped), and sends the agent to the scoped
// tools for everything else.
func (b *Builder) Compact(req Request) (Result, error) {
	if err := validate(req); err != nil {
		return Result{}, err
	}
	p := prepare(req, b.opts.Secrets, IssueFieldsFor(b.opts.Tracker), compactLimits)
	is, _ := p.vars["issue"].(map[string]any)
	id := orUnknown(str(is["identifier"]))
	lines := []string{
		fmt.Sprintf("You are working on tracker issue `%s`. The full task prompt was too large to send, so this is the short version.", id),
		"",
		"# Rules that always apply",
		"",
		workspaceRule,
		"- " + untrustedRule,
		secretsRule,
	}
	lines = append(lines, remoteRules...)
	lines = append(lines, finalResponseRule, "", "# Start like this", "")
	if req.Mode == ModePR {
		pr, _ := p.vars["pr"].(map[string]any)
		lines = append(lines,
			fmt.Sprintf("- This run works on pull request %s (head branch %s).", orUnknown(str(pr["url"])), orUnknown(str(pr["head_ref"]))),
			"- Push to the head branch; do not open a new pull request.",
		)
	}
	if get := toolNamed(b.opts.Tools, "get_current_issue"); get != "" {
		lines = append(lines, "- Load the issue with the scoped `"+get+"` tool.")
	}
	if comments := toolNamed(b.opts.Tools, "get_comments"); comments != "" {
		lines = append(lines, fmt.Sprintf("- Load comments with `%s` and `{\"limit\": %d}` first; ask for more only when you need them.", comments, compactCommentLimit))
	}
	lines = append(lines,
		"- Read `WORKFLOW.md` in sections when you need the repository's detailed rules; do not print it whole.",
		"- Bring the single `"+req.Agent.WorkpadHeading+"` comment up to date before new work.",
		"",
		"# What Symphony knows about the issue",
		"",
		"- Identifier: "+id,
		"- State: "+orUnknown(str(is["state"])),
		"- Link: "+orUnknown(str(is["url"])),
		"- Repository: "+orUnknown(repoKeyOf(req)),
	)
	if title := str(is["title"]); title != "" {
		lines = append(lines, "- Title:", title)
	}
	lines = append(lines,
		"",
		"# Done means",
		"",
		"- Follow the repository workflow and the existing workpad, and keep the change to what the issue asks.",
		"- Run the focused validation for what you changed, then the repository's full gate before handoff when you can.",
	)
	parts := append([]string{strings.Join(lines, "\n")}, b.tail(p)...)
	text := joinSections(parts)
	return Result{Text: text, Compact: true, FullBytes: len(text), Anomalies: p.anomalies}, nil
}
