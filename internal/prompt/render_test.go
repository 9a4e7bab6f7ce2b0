package prompt

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fullRequest is the sample request with every optional input filled, so each template
// variable has something to render.
func fullRequest(t *testing.T, src string) Request {
	t.Helper()
	req := Sample(ModePR, mustAgent(t, "codex"), Template{Source: src, Path: "WORKFLOW.md", Line: 10})
	attempt := 3
	at := time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)
	req.Attempt = &attempt
	req.ReviewerComments = []ReviewerComment{{ID: "c1", Kind: "inline", Author: "rev", Body: "Rename this helper.", Path: "ui/retry.ts", Line: 12, URL: "https://github.com/x/y/pull/17#c1", CreatedAt: &at}}
	req.CIFailure = &CIFailure{FailedChecks: []CICheck{{Name: "unit", Conclusion: "failure", RunID: "99"}}, CommitSHA: "abc123", LogExcerpt: "FAIL retry_test.ts"}
	req.Conflict = &Conflict{PRURL: "https://github.com/x/y/pull/17", HeadRef: "feature", BaseRef: "main", HeadSHA: "h1", BaseSHA: "b1", Key: "k1", Attempt: 1, MaxRetries: 3}
	return req
}

func renderOnly(t *testing.T, req Request) (string, error) {
	t.Helper()
	return render(templateFor(req), prepare(req, nil, IssueFieldsFor(""), fullLimits).vars, linearTools)
}

func TestEveryVariableRenders(t *testing.T) {
	tests := []struct{ src, want string }{
		{"{{ issue.id }}", "00000000-0000-4000-8000-000000000042"},
		{"{{ issue.identifier }}", "SYM-42"},
		{"{{ issue.title }}", "<linear_issue_title>\nRetry button stays disabled after a failed upload\n</linear_issue_title>"},
		{"{{ issue.description }}", "<linear_issue_body>\nSteps:"},
		{"{{ issue.priority }}", "2"},
		{"{{ issue.state }}", "Todo"},
		{"{{ issue.team.key }}/{{ issue.team.name }}/{{ issue.team.id }}", "SYM/Symphony/team-1"},
		{"{{ issue.project.name }}/{{ issue.project.slug_id }}", "Uploads/uploads"},
		{"{{ issue.branch_name }}", "sym-42-retry-button"},
		{"{{ issue.url }}", "https://linear.app/example/issue/SYM-42"},
		{"[{{ issue.pull_request_url }}][{{ issue.pr_urls.size }}][{{ issue.assignee_id }}]", "[][0][]"},
		{"{{ issue.repo_key }}", "example-repo"},
		{"{{ issue.conflict_repo_keys.size }}", "0"},
		{"{% for l in issue.labels %}<{{ l }}>{% endfor %}", "<bug><frontend>"},
		{"{% for b in issue.blocked_by %}{{ b.identifier }} {{ b.state }} {{ b.id }}{% endfor %}", "SYM-41 Done issue-41"},
		{"{{ issue.created_at }} {{ issue.updated_at }}", "2026-01-05T09:30:00Z 2026-01-06T11:30:00Z"},
		{"{% for c in issue.comments %}{{ c.author }}|{{ c.id }}|{{ c.created_at }}|{{ c.updated_at }}|{{ c.body }}{% endfor %}", "Dana Reviewer|comment-1|2026-01-06T11:30:00Z||<linear_issue_comment_body>"},
		{"{% for l in issue.linked_issues %}{{ l.relation }} {{ l.identifier }} {{ l.state }} {{ l.id }}{% endfor %}", "related SYM-40 In Review issue-40"},
		{"{{ issue.assigned_to_worker }}", "true"},
		{"#{{ pr.number }} {{ pr.url }} {{ pr.state }} {{ pr.base_ref }}<-{{ pr.head_ref }}: {{ pr.intent }}", "#17 https://github.com/example/example-repo/pull/17 open main<-sym-42-retry-button: Address the open review comments"},
		{"{{ pr.title }}{{ pr.body }}", "<github_pr_title>\nRe-enable the retry button after reconnecting\n</github_pr_title><github_pr_body>\n"},
		{"{{ attempt }}", "3"},
		{"{{ agent.kind }}|{{ agent.display_name }}|{{ agent.update_label }}|{{ agent.workpad_heading }}", "codex|Codex|Codex update|## Codex Workpad"},
		{"{{ repo_key }}", "example-repo"},
		{"{% for c in reviewer_comments %}{{ c.id }} {{ c.kind }} {{ c.author }} {{ c.path }}:{{ c.line }} {{ c.url }} {{ c.created_at }} {{ c.body }}{% endfor %}", "c1 inline rev ui/retry.ts:12 https://github.com/x/y/pull/17#c1 2026-02-01T12:00:00Z <github_review_comment_body>\nRename this helper."},
		{"{{ ci_failure.commit_sha }} {% for c in ci_failure.failed_checks %}{{ c.name }}/{{ c.conclusion }}/{{ c.run_id }}{% endfor %} {{ ci_failure.log_excerpt }}", "abc123 unit/failure/99 <ci_failure_log_excerpt>\nFAIL retry_test.ts\n</ci_failure_log_excerpt>"},
		{"{{ pr_conflict.head_ref }}@{{ pr_conflict.head_sha }} {{ pr_conflict.base_ref }}@{{ pr_conflict.base_sha }} {{ pr_conflict.conflict_key }} {{ pr_conflict.attempt }}/{{ pr_conflict.max_retries }}", "feature@h1 main@b1 k1 1/3"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			got, err := renderOnly(t, fullRequest(t, tt.src))
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			if !strings.Contains(got, tt.want) {
				t.Fatalf("rendered %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

// TestRepoKeyFallsBackToTheIssue: a request without its own repo key uses the issue's, for
// the top-level variable as for issue.repo_key and the managed context.
func TestRepoKeyFallsBackToTheIssue(t *testing.T) {
	req := Sample(ModeIssue, mustAgent(t, "codex"), Template{Source: "{{ repo_key }}|{{ issue.repo_key }}", Path: "WORKFLOW.md", Line: 1})
	req.RepoKey, req.Issue.RepoKey = "", "from-issue"
	got, err := renderOnly(t, req)
	if err != nil || got != "from-issue|from-issue" {
		t.Fatalf("got %q, %v; want \"from-issue|from-issue\"", got, err)
	}
}

func TestFirstRunAttemptIsNil(t *testing.T) {
	req := Sample(ModeIssue, mustAgent(t, "claude"), Template{Source: "{% if attempt %}retry {{ attempt }}{% else %}first run{% endif %}", Path: "WORKFLOW.md", Line: 1})
	got, err := renderOnly(t, req)
	if err != nil || got != "first run" {
		t.Fatalf("got %q, %v; want \"first run\"", got, err)
	}
}

func TestEveryPartialRenders(t *testing.T) {
	args := map[string]string{"attempt": "attempt", "issue": "issue", "agent": "agent", "lockfile": `"go.sum"`}
	// A phrase each partial must produce, so an empty or broken render is caught.
	wants := map[string]string{
		"ci_triage": "## When CI fails", "completion_bar": "## Before moving to review",
		"continuation_context": "attempt 3", "default_posture": "## How to work",
		"dependency_guardrail": "`go.sum` diff", "escape_hatches": "## When you cannot continue",
		"guardrails": "## Guardrails", "issue_context": "Identifier: SYM-42",
		"out_of_scope_backlog": "separate `Backlog` issue", "pr_feedback_sweep": "inline review comments",
		"reproduce_and_blast_radius": "blast radius", "scoped_tools": "`linear_get_current_issue`",
		"status_map": "`Rework`", "workpad_bootstrap": "`## Codex Workpad`", "workpad_template": "## Codex Workpad\n",
	}
	if len(wants) != len(Partials) {
		t.Fatalf("test covers %d partials, catalogue has %d", len(wants), len(Partials))
	}
	for _, p := range Partials {
		t.Run(p.Name, func(t *testing.T) {
			src := `{% render "` + p.Name + `"`
			for _, v := range p.Vars {
				src += ", " + v + ": " + args[v]
			}
			src += " %}"
			got, err := renderOnly(t, fullRequest(t, src))
			if err != nil {
				t.Fatalf("render %s: %v", src, err)
			}
			if !strings.Contains(got, wants[p.Name]) {
				t.Fatalf("%s rendered %q, want it to contain %q", p.Name, got, wants[p.Name])
			}
		})
	}
}

func TestPartialScopeIsIsolated(t *testing.T) {
	// issue_context needs `issue`; without passing it the partial cannot see the caller's.
	req := Sample(ModeIssue, mustAgent(t, "codex"), Template{Source: "line one\n{% render \"issue_context\" %}", Path: "WORKFLOW.md", Line: 20})
	_, err := renderOnly(t, req)
	var te *TemplateError
	if !errors.As(err, &te) || !errors.Is(err, ErrTemplateRender) {
		t.Fatalf("err = %v, want a template_render_error", err)
	}
	if te.Line != 21 || te.Partial != "issue_context" {
		t.Fatalf("error at line %d partial %q, want line 21 in issue_context: %v", te.Line, te.Partial, err)
	}
}

func TestTemplateErrorsNameTheWorkflowLine(t *testing.T) {
	tests := []struct {
		name, src string
		code      error
		line      int
		msg       string
	}{
		{"unknown variable", "a\nb\n{{ isue.title }}", ErrTemplateRender, 12, "undefined variable in {{ isue.title }}"},
		{"unknown property", "{{ issue.titel }}", ErrTemplateRender, 10, "undefined variable in {{ issue.titel }}"},
		{"unknown filter", "ok\n{{ issue.title | shout }}", ErrTemplateRender, 11, `undefined filter "shout"`},
		{"unknown partial", "\n\n\n{% render \"nope\" %}", ErrTemplateRender, 13, `unknown partial "nope"`},
		{"partial path", "{% render \"../etc/passwd\" %}", ErrTemplateRender, 10, "escapes its source directory"},
		{"syntax error", "fine\n{% if issue.title %}\nunclosed", ErrTemplateParse, 11, `unterminated "if" block`},
		{"bad tag", "x\n{% frobnicate %}", ErrTemplateParse, 11, "frobnicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := renderOnly(t, fullRequest(t, tt.src))
			var te *TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a *TemplateError", err)
			}
			if !errors.Is(err, tt.code) || te.Line != tt.line || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %q (line %d), want %v at line %d containing %q", err, te.Line, tt.code, tt.line, tt.msg)
			}
			if !strings.Contains(err.Error(), "WORKFLOW.md:") {
				t.Fatalf("err = %q does not name WORKFLOW.md", err)
			}
		})
	}
}

func TestRepositoryPartials(t *testing.T) {
	dir := t.TempDir()
	parts := filepath.Join(dir, filepath.FromSlash(RepoPartialsDir))
	if err := os.MkdirAll(parts, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(parts, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("house_rules.liquid", "House rules for {{ who }}.\n")
	write("typo.liquid", "first\n{{ missing }}\n")

	tpl := Template{Source: "{% render \"house_rules\", who: agent.display_name %}", Path: "WORKFLOW.md", Line: 5, PartialsDir: parts}
	got, err := renderOnly(t, Sample(ModeIssue, mustAgent(t, "claude"), tpl))
	if err != nil || got != "House rules for Claude." {
		t.Fatalf("got %q, %v", got, err)
	}

	tpl.Source = "x\n{% render \"typo\" %}"
	_, err = renderOnly(t, Sample(ModeIssue, mustAgent(t, "claude"), tpl))
	var te *TemplateError
	if !errors.As(err, &te) || te.Line != 6 || te.Partial != "typo" || te.PartialLine != 2 {
		t.Fatalf("err = %v, want line 6 in partial typo line 2", err)
	}

	write("guardrails.liquid", "my own guardrails")
	tpl.Source = "{% render \"house_rules\", who: 1 %}"
	if _, err := renderOnly(t, Sample(ModeIssue, mustAgent(t, "claude"), tpl)); err == nil || !strings.Contains(err.Error(), `reuses the built-in name "guardrails"`) {
		t.Fatalf("err = %v, want the shadowed built-in refused", err)
	}
	if err := os.Remove(filepath.Join(tpl.PartialsDir, "guardrails.liquid")); err != nil {
		t.Fatal(err)
	}
	write("scoped_tools.liquid", "use linear_everything")
	if _, err := renderOnly(t, Sample(ModeIssue, mustAgent(t, "claude"), tpl)); err == nil || !strings.Contains(err.Error(), `reuses the built-in name "scoped_tools"`) {
		t.Fatalf("err = %v, want the generated built-in's name refused too", err)
	}
}

func TestCheckReportsBrokenTemplates(t *testing.T) {
	agent := mustAgent(t, "codex")
	if err := Check(ModeIssue, agent, Template{Source: "{{ issue.identifier }}", Path: "WORKFLOW.md", Line: 4}); err != nil {
		t.Fatalf("valid template: %v", err)
	}
	err := Check(ModePR, agent, Template{Source: "{{ pr.numbr }}", Path: "WORKFLOW.md", Line: 4})
	if !errors.Is(err, ErrTemplateRender) || !strings.Contains(err.Error(), "WORKFLOW.md:4") {
		t.Fatalf("err = %v, want template_render_error at WORKFLOW.md:4", err)
	}
}
