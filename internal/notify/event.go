package notify

import (
	"slices"
	"time"

	"github.com/symphony-go/symphony/internal/config"
)

// Event names beyond the ones a channel may list in symphony.yml (config.NotificationEvents).
// They are emitted to channels that subscribe to every event.
const (
	EventRunStuck                  = "run_stuck"
	EventDependencyPendingApproval = "dependency_pending_approval"
)

// Event is one thing worth telling an operator about. Empty fields are left out of payloads.
type Event struct {
	Name            string
	RepoKey         string
	IssueID         string
	IssueIdentifier string
	IssueURL        string
	IssueTitle      string
	PRURL           string
	PRTitle         string
	TranscriptURL   string
	State           string
	Reason          string
	// Question is what an agent asked a human (awaiting_input).
	Question  string
	RunID     string
	SessionID string
	Attempt   int
	Tokens    *Tokens
	// Metadata carries event-specific detail, e.g. {"scope": "issue"} for budget_exceeded.
	Metadata map[string]any
	// Time is when the event happened; zero means "now" by the notifier's clock.
	Time time.Time
}

// Tokens is the token usage reported with an event.
type Tokens struct {
	Input  int64 `json:"input"`
	Output int64 `json:"output"`
	Total  int64 `json:"total"`
}

// prEvents are about a pull request, so their state_url points at the PR when there is one.
var prEvents = []string{"pr_opened", "awaiting_review", "reviewer_commented", "rework_pushed", "ci_failed", "ci_escalated"}

// Events lists every event name this package can format: the ones a channel may subscribe
// to and the extra ones sent to channels that subscribe to everything.
func Events() []string {
	return append(slices.Clone(config.NotificationEvents), EventRunStuck, EventDependencyPendingApproval)
}

// knownEvent reports whether name is an event this package can format.
func knownEvent(name string) bool {
	return slices.Contains(config.NotificationEvents, name) || name == EventRunStuck || name == EventDependencyPendingApproval
}

// stateURL is where a reader should look: the PR for PR events that have one, else the issue.
func (e Event) stateURL() string {
	if slices.Contains(prEvents, e.Name) && e.PRURL != "" {
		return e.PRURL
	}
	return e.IssueURL
}

// eventTitles are the human headlines used by Slack messages.
var eventTitles = map[string]string{
	"pr_opened":                    "PR opened",
	"awaiting_review":              "Awaiting review",
	"run_failed":                   "Run failed",
	"issue_completed":              "Issue completed",
	"budget_exceeded":              "Budget exceeded",
	"reviewer_commented":           "Reviewer commented",
	"rework_pushed":                "Rework pushed",
	"ci_failed":                    "CI failed",
	"ci_escalated":                 "CI escalated",
	"awaiting_input":               "Awaiting input",
	EventRunStuck:                  "Run stuck",
	EventDependencyPendingApproval: "Dependency pending approval",
}

// eventColors are Slack attachment colours: red for failures, amber for things awaiting a
// person, green otherwise.
var eventColors = map[string]string{
	"run_failed":                   "#d9534f",
	"ci_failed":                    "#d9534f",
	"ci_escalated":                 "#d9534f",
	"budget_exceeded":              "#d9534f",
	EventRunStuck:                  "#d9534f",
	"awaiting_review":              "#f0ad4e",
	"reviewer_commented":           "#f0ad4e",
	"awaiting_input":               "#f0ad4e",
	EventDependencyPendingApproval: "#f0ad4e",
}

const okColor = "#5cb85c"
