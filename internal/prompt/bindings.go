package prompt

import (
	"fmt"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/secretscan"
)

// prepared holds the template variables with every untrusted string already redacted,
// neutralised, escaped, truncated and wrapped, plus the names of fields that carried
// injection markers. Nothing downstream ever sees the raw text.
type prepared struct {
	vars      map[string]any
	anomalies []string
	reviewers []map[string]any
	ci        map[string]any
	conflict  map[string]any
	answer    map[string]any
}

// sanitizer applies redaction and wrapping and remembers anomalous fields by name.
type sanitizer struct {
	secrets   *secretscan.Scanner
	fields    IssueFields
	limits    dispatchLimits
	anomalies []string
}

// dispatchLimits are the sizes for the dispatch context: the full prompt keeps the field
// limits, the compact bootstrap keeps less of each but never drops an item.
type dispatchLimits struct {
	review Field
	ciLog  Field
	// ciTail keeps the end of the CI log, where failures are reported, instead of the start.
	ciTail bool
}

var (
	fullLimits    = dispatchLimits{review: FieldReviewComment, ciLog: FieldCILogExcerpt}
	compactLimits = dispatchLimits{review: FieldCompactReviewNote, ciLog: FieldCompactCILog, ciTail: true}
)

// ciTailNote opens a CI excerpt whose earlier lines were dropped for the compact prompt.
const ciTailNote = "[earlier CI log lines omitted by Symphony to keep the compact prompt small]\n"

func (l dispatchLimits) excerpt(log string) string {
	if !l.ciTail {
		return log
	}
	keep := l.ciLog.Limit - len(ciTailNote)
	runes := []rune(log)
	if len(runes) <= keep {
		return log
	}
	tail := string(runes[len(runes)-keep:])
	if nl := strings.IndexByte(tail, '\n'); nl >= 0 && nl < len(tail)-1 {
		tail = tail[nl+1:]
	}
	return ciTailNote + tail
}

func (s *sanitizer) block(name string, f Field, text string) any {
	w := Wrap(f, s.secrets.Redact(text))
	if w.Anomalous {
		s.anomalies = append(s.anomalies, name)
	}
	if w.Text == "" {
		return nil
	}
	return w.Text
}

func (s *sanitizer) inline(name, text string) any {
	if text == "" {
		return nil
	}
	w := Inline(s.secrets.Redact(text))
	if w.Anomalous {
		s.anomalies = append(s.anomalies, name)
	}
	return w.Text
}

func (s *sanitizer) inlineList(name string, items []string) []any {
	out := make([]any, 0, len(items))
	for i, v := range items {
		out = append(out, s.inline(fmt.Sprintf("%s[%d]", name, i+1), v))
	}
	return out
}

func prepare(req Request, secrets *secretscan.Scanner, fields IssueFields, limits dispatchLimits) *prepared {
	if secrets == nil {
		secrets = secretscan.New()
	}
	s := &sanitizer{secrets: secrets, fields: fields, limits: limits}
	p := &prepared{}
	repoKey := repoKeyOf(req)
	// Sanitise in prompt order so anomalies are listed the way the agent reads the fields.
	issueMap := issueVars(s, req.Issue, repoKey)
	prMap := prVars(s, req.PR)
	p.reviewers = reviewerVars(s, req.ReviewerComments)
	p.ci = ciVars(s, req.CIFailure)
	p.conflict = conflictVars(s, req.Conflict)
	p.answer = humanAnswerVars(s, req.HumanAnswer)
	reviewers := make([]any, len(p.reviewers))
	for i, r := range p.reviewers {
		reviewers[i] = r
	}
	p.vars = map[string]any{
		"issue":             issueMap,
		"pr":                prMap,
		"attempt":           intOrNil(req.Attempt),
		"agent":             agentVars(req.Agent),
		"repo_key":          strOrNil(repoKey),
		"reviewer_comments": reviewers,
		"ci_failure":        mapOrNil(p.ci),
		"pr_conflict":       mapOrNil(p.conflict),
		"human_answer":      mapOrNil(p.answer),
	}
	p.anomalies = s.anomalies
	return p
}

func issueVars(s *sanitizer, is issue.Issue, repoKey string) map[string]any {
	title := s.block("issue.title", s.fields.Title, is.Title)
	description := s.block("issue.description", s.fields.Body, is.Description)
	comments := make([]any, 0, len(is.Comments))
	for i, c := range is.Comments {
		comments = append(comments, map[string]any{
			"id":         strOrNil(c.ID),
			"author":     s.inline(fmt.Sprintf("issue.comments[%d].author", i+1), c.Author),
			"body":       s.block(fmt.Sprintf("issue.comments[%d].body", i+1), s.fields.Comment, c.Body),
			"created_at": timeOrNil(c.CreatedAt),
			"updated_at": timeOrNil(c.UpdatedAt),
		})
	}
	blockers := make([]any, 0, len(is.BlockedBy))
	for i, b := range is.BlockedBy {
		blockers = append(blockers, map[string]any{
			"id":         strOrNil(b.ID),
			"identifier": s.inline(fmt.Sprintf("issue.blocked_by[%d].identifier", i+1), b.Identifier),
			"state":      s.inline(fmt.Sprintf("issue.blocked_by[%d].state", i+1), b.State),
		})
	}
	linked := make([]any, 0, len(is.LinkedIssues))
	for i, l := range is.LinkedIssues {
		linked = append(linked, map[string]any{
			"id":         strOrNil(l.ID),
			"identifier": s.inline(fmt.Sprintf("issue.linked_issues[%d].identifier", i+1), l.Identifier),
			"state":      s.inline(fmt.Sprintf("issue.linked_issues[%d].state", i+1), l.State),
			"relation":   s.inline(fmt.Sprintf("issue.linked_issues[%d].relation", i+1), l.Relation),
		})
	}
	var team, project any
	if is.Team != nil {
		team = map[string]any{
			"id":   strOrNil(is.Team.ID),
			"key":  s.inline("issue.team.key", is.Team.Key),
			"name": s.inline("issue.team.name", is.Team.Name),
		}
	}
	if is.Project != nil {
		project = map[string]any{
			"id":      strOrNil(is.Project.ID),
			"name":    s.inline("issue.project.name", is.Project.Name),
			"slug_id": s.inline("issue.project.slug_id", is.Project.SlugID),
		}
	}
	return map[string]any{
		"id":                 strOrNil(is.ID),
		"identifier":         s.inline("issue.identifier", is.Identifier),
		"title":              title,
		"description":        description,
		"priority":           intOrNil(is.Priority),
		"state":              s.inline("issue.state", is.State),
		"team":               team,
		"project":            project,
		"branch_name":        s.inline("issue.branch_name", is.BranchName),
		"url":                s.inline("issue.url", is.URL),
		"pull_request_url":   s.inline("issue.pull_request_url", is.PullRequestURL()),
		"pr_urls":            s.inlineList("issue.pr_urls", is.PRURLs),
		"assignee_id":        strOrNil(is.AssigneeID),
		"repo_key":           strOrNil(repoKey),
		"conflict_repo_keys": s.inlineList("issue.conflict_repo_keys", is.ConflictRepoKeys),
		"labels":             s.inlineList("issue.labels", is.Labels),
		"blocked_by":         blockers,
		"created_at":         timeOrNil(is.CreatedAt),
		"updated_at":         timeOrNil(is.UpdatedAt),
		"comments":           comments,
		"linked_issues":      linked,
		"assigned_to_worker": is.AssignedToWorker,
	}
}

func prVars(s *sanitizer, pr *PullRequest) any {
	if pr == nil {
		return nil
	}
	var number any
	if pr.Number > 0 {
		number = pr.Number
	}
	return map[string]any{
		"number":   number,
		"url":      s.inline("pr.url", pr.URL),
		"title":    s.block("pr.title", FieldPRTitle, pr.Title),
		"body":     s.block("pr.body", FieldPRBody, pr.Body),
		"state":    s.inline("pr.state", pr.State),
		"base_ref": s.inline("pr.base_ref", pr.BaseRef),
		"head_ref": s.inline("pr.head_ref", pr.HeadRef),
		"intent":   strOrNil(pr.Intent),
	}
}

func agentVars(a Agent) map[string]any {
	return map[string]any{
		"kind":            a.Kind,
		"display_name":    a.DisplayName,
		"update_label":    a.UpdateLabel,
		"workpad_heading": a.WorkpadHeading,
	}
}

func reviewerVars(s *sanitizer, comments []ReviewerComment) []map[string]any {
	out := make([]map[string]any, 0, len(comments))
	for i, c := range comments {
		n := i + 1
		var line any
		if c.Line > 0 {
			line = c.Line
		}
		out = append(out, map[string]any{
			"id":         s.inline(fmt.Sprintf("reviewer_comments[%d].id", n), c.ID),
			"kind":       s.inline(fmt.Sprintf("reviewer_comments[%d].kind", n), c.Kind),
			"author":     s.inline(fmt.Sprintf("reviewer_comments[%d].author", n), c.Author),
			"body":       s.block(fmt.Sprintf("reviewer_comments[%d].body", n), s.limits.review, c.Body),
			"url":        s.inline(fmt.Sprintf("reviewer_comments[%d].url", n), c.URL),
			"path":       s.inline(fmt.Sprintf("reviewer_comments[%d].path", n), c.Path),
			"line":       line,
			"created_at": timeOrNil(c.CreatedAt),
		})
	}
	return out
}

func ciVars(s *sanitizer, ci *CIFailure) map[string]any {
	if ci == nil {
		return nil
	}
	checks := make([]any, 0, len(ci.FailedChecks))
	for i, c := range ci.FailedChecks {
		checks = append(checks, map[string]any{
			"name":       s.inline(fmt.Sprintf("ci_failure.failed_checks[%d].name", i+1), c.Name),
			"conclusion": s.inline(fmt.Sprintf("ci_failure.failed_checks[%d].conclusion", i+1), c.Conclusion),
			"run_id":     strOrNil(c.RunID),
		})
	}
	return map[string]any{
		"failed_checks": checks,
		"commit_sha":    s.inline("ci_failure.commit_sha", ci.CommitSHA),
		"log_excerpt":   s.block("ci_failure.log_excerpt", s.limits.ciLog, s.limits.excerpt(ci.LogExcerpt)),
	}
}

func conflictVars(s *sanitizer, c *Conflict) map[string]any {
	if c == nil {
		return nil
	}
	var number any
	if c.PRNumber > 0 {
		number = c.PRNumber
	}
	return map[string]any{
		"pr_url":       s.inline("pr_conflict.pr_url", c.PRURL),
		"pr_title":     s.inline("pr_conflict.pr_title", c.PRTitle),
		"pr_number":    number,
		"head_ref":     s.inline("pr_conflict.head_ref", c.HeadRef),
		"head_sha":     s.inline("pr_conflict.head_sha", c.HeadSHA),
		"base_ref":     s.inline("pr_conflict.base_ref", c.BaseRef),
		"base_sha":     s.inline("pr_conflict.base_sha", c.BaseSHA),
		"mergeable":    s.inline("pr_conflict.mergeable", c.Mergeable),
		"merge_state":  s.inline("pr_conflict.merge_state", c.MergeState),
		"conflict_key": s.inline("pr_conflict.conflict_key", c.Key),
		"observed_at":  timeOrNil(c.ObservedAt),
		"attempt":      max(c.Attempt, 1),
		"max_retries":  intOrNil(&c.MaxRetries),
	}
}

func strOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func intOrNil(p *int) any {
	if p == nil || *p == 0 {
		return nil
	}
	return *p
}

func timeOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func mapOrNil(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}
