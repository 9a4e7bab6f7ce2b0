package orchestrator

import (
	"testing"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/workspace"
)

func TestPrePushRunsOn(t *testing.T) {
	pr := &prompt.PullRequest{Number: 7}
	cases := []struct {
		name      string
		firstPush bool
		attempt   int
		pr        *prompt.PullRequest
		want      bool
	}{
		{"always, first attempt", false, 0, nil, true},
		{"always, retry", false, 2, nil, true},
		{"first_push, first attempt", true, 0, nil, true},
		{"first_push, retry or continuation", true, 1, nil, false},
		{"pull-request run", false, 0, pr, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := &worker{d: Deps{Review: &PrePushReview{FirstPushOnly: tc.firstPush, MaxIterations: 1}}}
			got := w.newPrePush(attemptJob{attempt: tc.attempt, pr: tc.pr}, workspace.Workspace{Path: t.TempDir()}, nil, nil, nil) != nil
			if got != tc.want {
				t.Fatalf("reviewer runs = %v, want %v", got, tc.want)
			}
		})
	}
	if (&worker{}).newPrePush(attemptJob{}, workspace.Workspace{Path: t.TempDir()}, nil, nil, nil) != nil {
		t.Fatal("a reviewer runs with pre_push_review disabled")
	}
}

func TestPrePushReviewFromConfig(t *testing.T) {
	cfg := &config.Config{}
	if PrePushReviewFromConfig(cfg, nil) != nil {
		t.Fatal("disabled pre_push_review built a reviewer")
	}
	cfg.PrePushReview = config.PrePushReview{Enabled: true, Runtime: "codex", Command: "codex app-server", MaxIterations: 2, RunOn: "first_push"}
	cfg.PullRequests.Checks.EscalateToState = "Needs Human"
	cfg.Repositories = []config.Repository{{Key: "web", BaseBranch: "develop"}, {Key: "api"}}
	p := PrePushReviewFromConfig(cfg, nil)
	if p == nil || p.MaxIterations != 2 || !p.FirstPushOnly || p.EscalateToState != "Needs Human" || p.BaseBranch["web"] != "develop" || p.BaseBranch["api"] != "" {
		t.Fatalf("reviewer settings %+v", p)
	}
}

func TestTrackerNamesFromConfig(t *testing.T) {
	cases := []struct{ provider, start, titleTag string }{
		{"linear", "Todo", "linear_issue_title"},
		{"jira", "To Do", "jira_issue_title"},
		{"gitlab", "Todo", "gitlab_issue_title"},
	}
	for _, tc := range cases {
		cfg := &config.Config{PrePushReview: config.PrePushReview{Enabled: true}}
		cfg.Issues.Provider = tc.provider
		if s := FromConfig(cfg); s.StartState != tc.start || s.WorkingState != "In Progress" {
			t.Errorf("%s: start %q, working %q; want %q, In Progress", tc.provider, s.StartState, s.WorkingState, tc.start)
		}
		if p := PrePushReviewFromConfig(cfg, nil); p.IssueFields.Title.Tag != tc.titleTag {
			t.Errorf("%s: the reviewer wraps the title in %q, want %q", tc.provider, p.IssueFields.Title.Tag, tc.titleTag)
		}
	}
}
