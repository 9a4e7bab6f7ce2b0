package gate

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/secretscan"
)

func TestUserPromptFields(t *testing.T) {
	is := sampleIssue()
	is.Labels = []string{"backend", "<b>urgent</b>"}
	is.Description = "Upload with key AKIAIOSFODNN7EXAMPLE to the bucket."
	is = withComment(is, "symphony-bot", SkipComment(2, 6, 0, "too vague"), t0)
	is = withComment(is, "symphony-bot", "## Codex Workpad\nplan", t0)
	for i := range 12 {
		is = withComment(is, "alice", fmt.Sprintf("note %02d", i), t0.Add(time.Duration(i)*time.Minute))
	}
	user := UserPrompt(is, secretscan.New(), prompt.IssueFieldsFor("linear"))
	checks := []struct {
		what string
		ok   bool
	}{
		{"identifier line", strings.HasPrefix(user, "Issue ENG-1\nState: Todo\n")},
		{"labels escaped inline", strings.Contains(user, "Labels: backend, &lt;b&gt;urgent&lt;/b&gt;\n")},
		{"title wrapped", strings.Contains(user, "<linear_issue_title>\nAdd retry to the uploader\n</linear_issue_title>")},
		{"secret redacted", !strings.Contains(user, "AKIAIOSFODNN7EXAMPLE") && strings.Contains(user, "[REDACTED:")},
		{"gate comment left out", !strings.Contains(user, "too vague")},
		{"workpad left out", !strings.Contains(user, "Codex Workpad")},
		{"oldest two human comments dropped", !strings.Contains(user, "note 00") && !strings.Contains(user, "note 01")},
		{"latest ten kept in order", strings.Index(user, "note 02") > 0 && strings.Index(user, "note 02") < strings.Index(user, "note 11")},
		{"comment wrapped", strings.Contains(user, "- alice at 2026-12-01T09:11:00Z:\n<linear_issue_comment_body>\nnote 11\n</linear_issue_comment_body>")},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: prompt is\n%s", c.what, user)
		}
	}
	bare := sampleIssue()
	bare.Description = "  "
	empty := UserPrompt(bare, secretscan.New(), prompt.IssueFieldsFor("linear"))
	if !strings.Contains(empty, "Description:\n(none)") || !strings.Contains(empty, "Recent comments (oldest first):\n(none)") {
		t.Errorf("blank fields not marked:\n%s", empty)
	}
}

func TestUserPromptTagsNameTheTracker(t *testing.T) {
	is := withComment(sampleIssue(), "alice", "looks fine", t0)
	user := UserPrompt(is, secretscan.New(), prompt.IssueFieldsFor("jira"))
	for _, want := range []string{"<jira_issue_title>\nAdd retry to the uploader\n</jira_issue_title>", "<jira_issue_comment_body>\nlooks fine\n</jira_issue_comment_body>",
		"inside the jira_issue_title, jira_issue_body and jira_issue_comment_body boundary tags"} {
		if !strings.Contains(user, want) {
			t.Errorf("prompt lacks %q:\n%s", want, user)
		}
	}
	if strings.Contains(user, "linear_issue_") {
		t.Errorf("a Jira issue's prompt names Linear's tags:\n%s", user)
	}
}
