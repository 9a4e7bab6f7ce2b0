package linear

import (
	"regexp"

	"github.com/symphony-go/symphony/internal/tracker"
)

// uuidShape decides whether a team or project selector is an id rather than a key or name.
var uuidShape = regexp.MustCompile(`(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// issueFilter builds the IssueFilter for one effective route selection. Unset selectors are
// left out entirely rather than sent as null operands. assigneeID is the resolved assignee
// ("me" already replaced by the viewer id).
func issueFilter(states []string, sel tracker.Effective, assigneeID string) map[string]any {
	f := map[string]any{
		"state": map[string]any{"name": map[string]any{"in": states}},
	}
	switch {
	case len(sel.Projects) > 0:
		f["project"] = projectFilter(sel.Projects)
	case sel.ProjectSlug != "":
		f["project"] = map[string]any{"slugId": map[string]any{"eq": sel.ProjectSlug}}
	}
	if sel.Team != "" {
		field := "key"
		if uuidShape.MatchString(sel.Team) {
			field = "id"
		}
		f["team"] = map[string]any{field: map[string]any{"eq": sel.Team}}
	}
	switch {
	case len(sel.Labels) == 0:
	case !sel.AllLabels:
		f["labels"] = map[string]any{"some": map[string]any{"name": map[string]any{"in": sel.Labels}}}
	case len(sel.Labels) == 1:
		f["labels"] = labelPresent(sel.Labels[0])
	default:
		all := make([]any, 0, len(sel.Labels))
		for _, l := range sel.Labels {
			all = append(all, map[string]any{"labels": labelPresent(l)})
		}
		f["and"] = all
	}
	if assigneeID != "" {
		f["assignee"] = map[string]any{"id": map[string]any{"in": []string{assigneeID}}}
	}
	return f
}

func labelPresent(name string) map[string]any {
	return map[string]any{"some": map[string]any{"name": map[string]any{"eqIgnoreCase": name}}}
}

// projectFilter matches any listed value against a project's name or slug id, and against
// its id for values shaped like one.
func projectFilter(projects []string) map[string]any {
	var ids []string
	for _, p := range projects {
		if uuidShape.MatchString(p) {
			ids = append(ids, p)
		}
	}
	alternatives := []any{
		map[string]any{"name": map[string]any{"in": projects}},
		map[string]any{"slugId": map[string]any{"in": projects}},
	}
	if len(ids) > 0 {
		alternatives = append(alternatives, map[string]any{"id": map[string]any{"in": ids}})
	}
	return map[string]any{"or": alternatives}
}
