package prompt

import (
	"time"

	"github.com/symphony-go/symphony/internal/issue"
)

// Sample returns a fixed request for previewing or checking a template without a tracker:
// the same issue, comments and pull request every time, so two previews can be diffed.
func Sample(mode Mode, agent Agent, t Template) Request {
	created := time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC)
	updated := created.Add(26 * time.Hour)
	priority := 2
	req := Request{
		Mode:     mode,
		Template: t,
		Agent:    agent,
		RepoKey:  "example-repo",
		Issue: issue.Issue{
			ID:          "00000000-0000-4000-8000-000000000042",
			Identifier:  "SYM-42",
			Title:       "Retry button stays disabled after a failed upload",
			Description: "Steps:\n1. Upload a file while offline.\n2. Reconnect.\n\nThe retry button stays grey until the page is reloaded.\n\n## Validation\n- Retry works after reconnecting without a reload.",
			Priority:    &priority,
			State:       "Todo",
			Team:        &issue.Team{ID: "team-1", Key: "SYM", Name: "Symphony"},
			Project:     &issue.Project{ID: "project-1", Name: "Uploads", SlugID: "uploads"},
			BranchName:  "sym-42-retry-button",
			URL:         "https://linear.app/example/issue/SYM-42",
			RepoKey:     "example-repo",
			Labels:      []string{"bug", "frontend"},
			BlockedBy:   []issue.Blocker{{ID: "issue-41", Identifier: "SYM-41", State: "Done"}},
			CreatedAt:   &created,
			UpdatedAt:   &updated,
			Comments: []issue.Comment{{
				ID: "comment-1", Author: "Dana Reviewer", CreatedAt: &updated,
				Body: "Also happens on Firefox. The network panel shows the retry request is never sent.",
			}},
			LinkedIssues:     []issue.LinkedIssue{{ID: "issue-40", Identifier: "SYM-40", State: "In Review", Relation: "related"}},
			AssignedToWorker: true,
		},
	}
	if mode == ModePR {
		req.PR = &PullRequest{
			Number:  17,
			URL:     "https://github.com/example/example-repo/pull/17",
			Title:   "Re-enable the retry button after reconnecting",
			Body:    "Listens for the online event and resets the upload state.\n\nFixes SYM-42.",
			State:   "open",
			BaseRef: "main",
			HeadRef: "sym-42-retry-button",
			Intent:  "Address the open review comments and get CI green.",
		}
	}
	return req
}

// Check renders t against the sample request, so a broken template is reported when the
// workflow is loaded rather than when the first issue arrives.
func Check(mode Mode, agent Agent, t Template) error {
	req := Sample(mode, agent, t)
	_, err := render(templateFor(req), prepare(req, nil, IssueFieldsFor(""), fullLimits).vars, nil)
	return err
}
