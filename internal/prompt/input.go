package prompt

import (
	"fmt"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
)

// Mode selects the issue prompt (WORKFLOW.md body) or the PR prompt (prompts.pr).
type Mode int

const (
	ModeIssue Mode = iota
	ModePR
)

// Agent is the runtime the prompt is written for; templates see it as `agent`.
type Agent struct {
	Kind           string
	DisplayName    string
	UpdateLabel    string
	WorkpadHeading string
}

// AgentFor returns the labels for a configured agent runtime ("codex" or "claude").
func AgentFor(kind string) (Agent, error) {
	var name string
	switch kind {
	case "codex":
		name = "Codex"
	case "claude":
		name = "Claude"
	default:
		return Agent{}, fmt.Errorf("unknown agent runtime %q (want codex or claude)", kind)
	}
	return Agent{Kind: kind, DisplayName: name, UpdateLabel: name + " update", WorkpadHeading: "## " + name + " Workpad"}, nil
}

// PullRequest is the PR a PR-mode run works on; templates see it as `pr`.
type PullRequest struct {
	Number  int
	URL     string
	Title   string
	Body    string
	State   string
	BaseRef string
	HeadRef string
	// Intent is the operator's request for this run ("address review comments", ...).
	Intent string
}

// ReviewerComment is one unaddressed review comment that triggered a run.
type ReviewerComment struct {
	ID        string
	Kind      string
	Author    string
	Body      string
	URL       string
	Path      string
	Line      int
	CreatedAt *time.Time
}

// CICheck is one failed status check.
type CICheck struct {
	Name       string
	Conclusion string
	RunID      string
}

// CIFailure is the failing-CI context that triggered a run.
type CIFailure struct {
	FailedChecks []CICheck
	CommitSHA    string
	LogExcerpt   string
}

// Conflict is the merge-conflict metadata that triggered a run.
type Conflict struct {
	PRURL      string
	PRTitle    string
	PRNumber   int
	HeadRef    string
	HeadSHA    string
	BaseRef    string
	BaseSHA    string
	Mergeable  string
	MergeState string
	Key        string
	ObservedAt *time.Time
	Attempt    int
	MaxRetries int
}

// Template is a Liquid prompt template and where it came from, so errors can name the file
// line an operator has to fix.
type Template struct {
	Source string
	// Path is the WORKFLOW.md the template was read from; used in error messages.
	Path string
	// Line is the 1-based file line on which Source begins.
	Line int
	// PartialsDir holds the repository's own partials (<name>.liquid); empty for none.
	PartialsDir string
}

// Request is everything one prompt is built from.
type Request struct {
	Mode     Mode
	Template Template
	Agent    Agent
	Issue    issue.Issue
	// PR is required in ModePR and optional otherwise.
	PR *PullRequest
	// Attempt is nil on the first run and the retry or continuation number afterwards.
	Attempt          *int
	RepoKey          string
	ReviewerComments []ReviewerComment
	CIFailure        *CIFailure
	Conflict         *Conflict
	// HumanAnswer is set when a human's reply to the agent's question started this run.
	HumanAnswer *HumanAnswer
	// Workspace is the absolute workspace path project guides are read from; empty skips them.
	Workspace string
	// Learnings is the repository's learnings block, each rule already wrapped as untrusted
	// text and the count bounded by its builder; empty for none.
	Learnings string
}
