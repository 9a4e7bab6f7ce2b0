package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/tracker"
)

// EventRefusedAgentAction is the audit record of a write the host refused because it carried
// a credential; it names the tool, the field and the pattern kind, never the value.
const EventRefusedAgentAction = "refused_agent_action"

// Prefixes of advertised tool names. A Linear-backed session keeps the reference's names so
// WORKFLOW.md files written for it work unchanged; other trackers use a neutral prefix.
const (
	PrefixLinear  = "linear_"
	PrefixTracker = "tracker_"
)

// PrefixFor returns the tool-name prefix sessions of a tracker provider advertise.
func PrefixFor(provider string) string {
	if provider == "linear" {
		return PrefixLinear
	}
	return PrefixTracker
}

// Auditor records what the host did; *audit.Log implements it.
type Auditor interface {
	Append(ctx context.Context, ev audit.Event) (audit.Record, error)
}

// Options bind a Host to one session.
type Options struct {
	// Issue is the session's issue; every tool acts on it and nothing else.
	Issue issue.Issue
	// Tracker serves the issue's route.
	Tracker tracker.Tracker
	// Provider is the tracker provider name (linear, local, memory); it picks the name prefix.
	Provider string
	// States are the workflow states update_state may move the issue to, for trackers that
	// cannot list their own (the configured active, terminal and hand-off states).
	States []string
	// ReadOnly leaves only the tools that change nothing.
	ReadOnly bool
	// Comments remembers which comments this issue's runs created; it survives restarts.
	Comments CommentOwnership
	// AllowedHosts are the hosts attach_url may link to, compared exactly after lowercasing
	// (workspaces.attachments.allowed_hosts); empty refuses every URL.
	AllowedHosts []string
	// Workspace is the session's workspace directory; attach_file only reads files strictly
	// inside it, and refuses every path when it is empty.
	Workspace string
	// PublicUploadExtensions are the extensions (".png") a public attach_file upload may have
	// (workspaces.attachments.public_upload_extensions); empty means the configuration's defaults.
	PublicUploadExtensions []string
	// Scanner finds credentials in text the agent writes and redacts tracker text it reads.
	Scanner *secretscan.Scanner
	Audit   Auditor
	RunID   string
	// Events, when set, receives tool_call_completed or tool_call_failed after every call
	// (the run record counts them) and issue_state_changed after update_state or
	// request_human_input moved the issue (the orchestrator then knows the agent handed it off
	// itself); Message names the tool or the new state.
	Events agent.EventSink
	// Logger gets the host's log lines; the host adds the issue's id, identifier and repo key
	// to every line itself, so callers pass a logger without them.
	Logger *slog.Logger
	// GitHub, when set, adds the github_* tools for a workspace whose origin is a GitHub
	// repository; nil leaves them out.
	GitHub *GitHubOptions
	// HumanInputState is the workflow state request_human_input moves the issue to
	// (agent.human_input.state); empty leaves the state alone.
	HumanInputState string
	// Now is the clock used for durations; nil means time.Now.
	Now func() time.Time
}

// Host serves one session's tools. It implements agent.ToolRegistry and is safe for
// concurrent calls.
type Host struct {
	opts   Options
	prefix string
	// issueFields wrap the tracker's text in boundary tags named after the provider.
	issueFields prompt.IssueFields
	// tools are keyed by their advertised name (prefix included).
	tools map[string]*tool
	order []string
	// github is the session's GitHub context; nil when its workspace is not a GitHub repository.
	github *githubSession
}

// tool is one tool before its name is prefixed.
type tool struct {
	name        string
	description string
	params      []param
	// schema is the JSON Schema of params, rendered once with the catalogue.
	schema json.RawMessage
	// writes marks tools that change the tracker or GitHub; a read-only host does not offer them.
	writes bool
	// scope are the argument names this tool refuses because the host decides them.
	scope []string
	run   func(ctx context.Context, h *Host, a args) (any, *toolError)
}

// entry is one tool under the name it is advertised with.
type entry struct {
	name string
	tool *tool
}

// catalogues are the tracker tools, the human-input tool and the GitHub tools with their
// scopes and schemas filled in. A tool's definition is fixed in code, so they are built once
// per process and shared, never modified, by every host: a session start then renders no
// schema.
type catalogues struct {
	tracker []*tool
	human   *tool
	github  []*tool
}

var builtCatalogues = sync.OnceValue(func() catalogues {
	c := catalogues{tracker: catalog(), human: humanInputTool(), github: githubCatalog()}
	for _, t := range c.tracker {
		if t.scope == nil {
			t.scope = scopeKeys
		}
	}
	c.human.scope = scopeKeys
	for _, t := range c.github {
		t.scope = githubScopeKeys
	}
	for _, t := range append(append([]*tool{c.human}, c.tracker...), c.github...) {
		t.schema = inputSchema(t.params)
	}
	return c
})

// entries lists every tool a session of this provider could be offered, in advertised order:
// the tracker tools, then the GitHub tools when withGitHub.
func entries(provider string, withGitHub bool) []entry {
	c := builtCatalogues()
	var out []entry
	for _, t := range c.tracker {
		out = append(out, entry{PrefixFor(provider) + t.name, t})
	}
	out = append(out, entry{HumanInputTool, c.human})
	if withGitHub {
		for _, t := range c.github {
			out = append(out, entry{PrefixGitHub + t.name, t})
		}
	}
	return out
}

// New binds a host to its session. The issue, tracker, ownership store and scanner are
// required: a host that could act on the wrong issue or let a secret through is worse than none.
func New(opts Options) (*Host, error) {
	var missing []string
	if opts.Issue.ID == "" || opts.Issue.Identifier == "" {
		missing = append(missing, "Issue (id and identifier)")
	}
	if opts.Tracker == nil {
		missing = append(missing, "Tracker")
	}
	if opts.Comments == nil {
		missing = append(missing, "Comments")
	}
	if opts.Scanner == nil {
		missing = append(missing, "Scanner")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("tools: host options missing %s", strings.Join(missing, ", "))
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	// Every line the host logs names its issue, once: callers pass their plain logger.
	opts.Logger = opts.Logger.With("issue_id", opts.Issue.ID, "issue_identifier", opts.Issue.Identifier, "repo_key", opts.Issue.RepoKey)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &Host{opts: opts, prefix: PrefixFor(opts.Provider), issueFields: prompt.IssueFieldsFor(opts.Provider), tools: map[string]*tool{}}
	if opts.GitHub != nil {
		gs, err := newGitHubSession(*opts.GitHub)
		if err != nil {
			return nil, err
		}
		h.github = gs
	}
	for _, e := range entries(opts.Provider, h.github != nil) {
		if opts.ReadOnly && e.tool.writes {
			continue
		}
		h.tools[e.name] = e.tool
		h.order = append(h.order, e.name)
	}
	return h, nil
}

// Names returns the advertised tool names, prefixed, in catalogue order.
func (h *Host) Names() []string {
	return append([]string(nil), h.order...)
}

// NamesFor returns the tool names a session on a tracker provider is given (with the GitHub
// tools when its workspace is a GitHub repository), so prompts can name exactly those before
// any session exists.
func NamesFor(provider string, readOnly, withGitHub bool) []string {
	var out []string
	for _, e := range entries(provider, withGitHub) {
		if !readOnly || !e.tool.writes {
			out = append(out, e.name)
		}
	}
	return out
}

// Specs advertises the tools to the model.
func (h *Host) Specs() []agent.ToolSpec {
	specs := make([]agent.ToolSpec, 0, len(h.order))
	for _, n := range h.order {
		t := h.tools[n]
		specs = append(specs, agent.ToolSpec{Name: n, Description: t.description, InputSchema: slices.Clone(t.schema)})
	}
	return specs
}

// Call runs one tool call through the argument rules and returns the envelope the model reads.
// The dotted alias ("linear.get_current_issue") is accepted but never advertised.
func (h *Host) Call(ctx context.Context, name string, arguments json.RawMessage) agent.ToolResult {
	start := h.opts.Now()
	out, terr := h.dispatch(ctx, name, arguments)
	env := envelope{Success: terr == nil, Output: out, Error: terr}
	text := env.text()
	h.record(ctx, name, terr, h.opts.Now().Sub(start), len(arguments), len(text))
	kind := agent.EventToolCallCompleted
	if !env.Success {
		kind = agent.EventToolCallFailed
	}
	h.emit(kind, name)
	return agent.ToolResult{Success: env.Success, Text: text}
}

func (h *Host) dispatch(ctx context.Context, name string, arguments json.RawMessage) (any, *toolError) {
	full, ok := h.lookup(name)
	if !ok {
		e := fail(CodeToolNotFound, "no tool named %q in this session", name)
		if write := h.writeToolNamed(name); write {
			e = fail(CodeToolScope, "%s changes the tracker, and this session is read-only", name)
		}
		e.Details = map[string]any{"supported_tools": h.Names()}
		return nil, e
	}
	t := h.tools[full]
	a, terr := decodeArgs(arguments, t.params, t.scope)
	if terr != nil {
		return nil, terr
	}
	return t.run(ctx, h, a)
}

// lookup maps an advertised or dotted name ("linear.get_current_issue") to the advertised name.
func (h *Host) lookup(name string) (string, bool) {
	full := undotted(name)
	_, known := h.tools[full]
	return full, known
}

// undotted turns the dotted alias of a tool name into the advertised form.
func undotted(name string) string {
	return strings.Replace(name, ".", "_", 1)
}

// writeToolNamed reports whether name is a write tool this read-only host left out, so the
// refusal says why rather than pretending the tool does not exist.
func (h *Host) writeToolNamed(name string) bool {
	if !h.opts.ReadOnly {
		return false
	}
	for _, e := range entries(h.opts.Provider, h.github != nil) {
		if e.tool.writes && e.name == undotted(name) {
			return true
		}
	}
	return false
}

// emit reports an event to the session, when the host has somewhere to report it.
func (h *Host) emit(kind agent.EventKind, message string) {
	if h.opts.Events != nil {
		h.opts.Events(agent.Event{Kind: kind, Message: message})
	}
}

// record writes the call's audit record and log line: tool, outcome, duration and sizes,
// never the arguments or the output themselves.
func (h *Host) record(ctx context.Context, name string, terr *toolError, took time.Duration, in, out int) {
	details := map[string]any{"tool": name, "outcome": "completed", "duration_ms": took.Milliseconds(),
		"argument_bytes": in, "result_bytes": out}
	attrs := []any{"tool", name, "duration_ms", took.Milliseconds()}
	if terr != nil {
		details["outcome"], details["error_code"] = "failed", terr.Code
		h.opts.Logger.Info("tool call failed", append(attrs, "outcome", "failed", "code", terr.Code)...)
	} else {
		h.opts.Logger.Info("tool call completed", append(attrs, "outcome", "completed")...)
	}
	h.audit(ctx, audit.EventToolCall, details)
}

func (h *Host) audit(ctx context.Context, eventType string, details map[string]any) {
	if h.opts.Audit == nil {
		return
	}
	_, err := h.opts.Audit.Append(context.WithoutCancel(ctx), audit.Event{IssueID: h.opts.Issue.ID,
		IssueIdentifier: h.opts.Issue.Identifier, RepoKey: h.opts.Issue.RepoKey, RunID: h.opts.RunID,
		Type: eventType, Details: details})
	if err != nil {
		h.opts.Logger.Warn("tool audit record not written", "event_type", eventType, "error", err.Error())
	}
}

// refuseSecrets fails a write whose field carries a credential, auditing the refusal with the
// pattern kinds found (never the value). toolName is the advertised name.
func (h *Host) refuseSecrets(ctx context.Context, toolName, field, text string) *toolError {
	return h.refuseFindings(ctx, toolName, field, h.opts.Scanner.Find(text))
}

// refuseFindings fails a write whose field the scanner found credentials in.
func (h *Host) refuseFindings(ctx context.Context, toolName, field string, findings []secretscan.Finding) *toolError {
	if len(findings) == 0 {
		return nil
	}
	kinds := map[string]bool{}
	for _, f := range findings {
		kinds[f.Kind] = true
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	h.audit(ctx, EventRefusedAgentAction, map[string]any{"tool": toolName, "field": field,
		"secret_pattern": strings.Join(names, ",")})
	e := fail(CodeSecretDetected, "%s looks like it contains a credential (%s); nothing was written. Remove it and call again",
		field, strings.Join(names, ", "))
	e.Details = map[string]any{"field": field, "secret_pattern": names}
	return e
}

// trackerFailure turns a tracker error into the tool's failure, keeping its code when it has one.
func trackerFailure(what string, err error) *toolError {
	if code := tracker.CodeOf(err); code != "" {
		return fail(string(code), "%s: %v", what, err)
	}
	return fail(CodeTracker, "%s: %v", what, err)
}
