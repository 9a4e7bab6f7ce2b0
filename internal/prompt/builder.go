package prompt

import (
	"errors"
	"strings"

	"github.com/symphony-go/symphony/internal/secretscan"
)

// DefaultSoftLimitBytes is the first-turn size above which the compact bootstrap is sent
// (agent.prompts.codex_stdio_soft_limit_bytes).
const DefaultSoftLimitBytes = 65536

// Options are the settings prompt construction needs; the caller maps configuration onto them.
type Options struct {
	// SoftLimitBytes is the largest full first-turn prompt; 0 means DefaultSoftLimitBytes.
	SoftLimitBytes int
	Guides         GuideOptions
	// Secrets redacts credentials from untrusted text; nil uses the built-in patterns only.
	Secrets *secretscan.Scanner
	// Feedback, when known, adds how review and CI feedback reach the agent; nil omits it.
	Feedback *FeedbackDelivery
	// Tools are the names of the scoped tools the session has; prompts name only these.
	Tools []string
	// Tracker is the tracker provider (issues.provider); it names the boundary tags of the
	// issue text (see IssueFieldsFor).
	Tracker string
}

// Result is a built prompt.
type Result struct {
	Text string
	// Compact is true when the full prompt was over the soft limit and Text is the bootstrap.
	Compact bool
	// FullBytes is the size of the full prompt, also when the compact one was sent.
	FullBytes int
	// Anomalies names the untrusted fields in which injection markers were neutralised.
	Anomalies []string
}

// Builder builds prompts with fixed options. It is safe for concurrent use.
type Builder struct {
	opts Options
}

// NewBuilder returns a Builder, filling in defaults.
func NewBuilder(opts Options) *Builder {
	if opts.SoftLimitBytes <= 0 {
		opts.SoftLimitBytes = DefaultSoftLimitBytes
	}
	if opts.Secrets == nil {
		opts.Secrets = secretscan.New()
	}
	return &Builder{opts: opts}
}

// FirstTurn returns the prompt for a session's first turn: the full prompt, or the compact
// bootstrap when the full one is larger than the soft limit.
func (b *Builder) FirstTurn(req Request) (Result, error) {
	full, err := b.Full(req)
	if err != nil || len(full.Text) <= b.opts.SoftLimitBytes {
		return full, err
	}
	c, err := b.Compact(req)
	c.FullBytes = full.FullBytes
	return c, err
}

// Full renders the workflow template and assembles the complete prompt: managed runtime
// rules, the rendered template, project conventions, repository learnings, the dispatch
// context, the feedback posture and, when needed, the input-anomaly notice.
func (b *Builder) Full(req Request) (Result, error) {
	if err := validate(req); err != nil {
		return Result{}, err
	}
	p := prepare(req, b.opts.Secrets, IssueFieldsFor(b.opts.Tracker), fullLimits)
	body, err := render(templateFor(req), p.vars, b.opts.Tools)
	if err != nil {
		return Result{}, err
	}
	parts := []string{managedContext(req.Mode, req.Agent, repoKeyOf(req), b.opts.Tools), strings.TrimSpace(body)}
	if b.opts.Guides.Enabled {
		files := b.opts.Guides.Files
		if files == nil {
			files = DefaultGuideFiles(req.Agent.Kind)
		}
		guides, err := projectConventions(req.Workspace, files)
		if err != nil {
			return Result{}, err
		}
		parts = append(parts, guides)
	}
	parts = append(parts, req.Learnings)
	parts = append(parts, b.tail(p)...)
	text := joinSections(parts)
	return Result{Text: text, FullBytes: len(text), Anomalies: p.anomalies}, nil
}

// tail is what both the full and the compact prompt end with.
func (b *Builder) tail(p *prepared) []string {
	parts := dispatchSections(p)
	if b.opts.Feedback != nil {
		parts = append(parts, feedbackSection(*b.opts.Feedback))
	}
	return append(parts, anomalyNotice(p.anomalies))
}

func validate(req Request) error {
	if req.Agent.Kind == "" {
		return errors.New("prompt request has no agent")
	}
	if req.Mode == ModePR && req.PR == nil {
		return errors.New("a pull request prompt needs the pull request")
	}
	return nil
}

func repoKeyOf(req Request) string {
	if req.RepoKey != "" {
		return req.RepoKey
	}
	return req.Issue.RepoKey
}

// templateFor picks the template for the mode, falling back to a built-in one when the
// workflow has none.
func templateFor(req Request) Template {
	t := req.Template
	if strings.TrimSpace(t.Source) != "" {
		return t
	}
	t.Line = 1
	if req.Mode == ModePR {
		t.Source, t.Path = defaultPRPrompt, "built-in PR prompt"
	} else {
		t.Source, t.Path = defaultIssuePrompt, "built-in issue prompt"
	}
	return t
}

const defaultIssuePrompt = "You are working on tracker issue `{{ issue.identifier }}`.\n\n{% render \"issue_context\", issue: issue %}\n"

const defaultPRPrompt = `You are working on an existing pull request.

- PR: {{ pr.url }} (#{{ pr.number }})
- Base branch: {{ pr.base_ref }}
- Head branch: {{ pr.head_ref }}
- Requested by the operator: {{ pr.intent }}

Title:
{{ pr.title }}

Description:
{{ pr.body }}

Do what the operator requested in this workspace, validate it, push to the head branch and
post a short summary comment on the pull request. Do not open a new pull request.
`

func joinSections(parts []string) string {
	kept := parts[:0]
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "\n\n") + "\n"
}
