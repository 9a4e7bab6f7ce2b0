package tools

import (
	"context"

	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/tracker"
)

// issueRef shows another issue to the model. Its title is as untrusted as the current issue's,
// so it is redacted and wrapped the same way; the short fields are inlined.
func (h *Host) issueRef(r tracker.IssueRef) map[string]any {
	return map[string]any{
		"id":         r.ID,
		"identifier": prompt.Inline(r.Identifier).Text,
		"title":      prompt.Wrap(h.issueFields.Title, h.opts.Scanner.Redact(r.Title)).Text,
		"state":      prompt.Inline(r.State).Text,
		"url":        r.URL,
	}
}

func getSubIssues(ctx context.Context, h *Host, _ args) (any, *toolError) {
	children, err := h.opts.Tracker.ListSubIssues(ctx, h.opts.Issue.ID)
	if err != nil {
		return nil, trackerFailure("reading the sub-issues", err)
	}
	out := make([]map[string]any, 0, len(children))
	for _, c := range children {
		out = append(out, h.issueRef(c))
	}
	return map[string]any{"subissues": out, "count": len(out), "limit": tracker.MaxRelated}, nil
}

func getParentIssue(ctx context.Context, h *Host, _ args) (any, *toolError) {
	parent, err := h.opts.Tracker.FetchParent(ctx, h.opts.Issue.ID)
	if err != nil {
		return nil, trackerFailure("reading the parent issue", err)
	}
	if parent == nil {
		return map[string]any{"has_parent": false, "parent": nil, "message": h.opts.Issue.Identifier + " has no parent issue"}, nil
	}
	return map[string]any{"has_parent": true, "parent": h.issueRef(*parent)}, nil
}

func getRelatedIssues(ctx context.Context, h *Host, _ args) (any, *toolError) {
	relations, err := h.opts.Tracker.ListRelations(ctx, h.opts.Issue.ID)
	if err != nil {
		return nil, trackerFailure("reading the related issues", err)
	}
	out := make([]map[string]any, 0, len(relations))
	for _, r := range relations {
		entry := h.issueRef(r.Issue)
		entry["type"] = prompt.Inline(r.Type).Text
		out = append(out, entry)
	}
	return map[string]any{"relations": out, "count": len(out), "limit_per_direction": tracker.MaxRelated}, nil
}
