package local

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/tracker"
)

// Suffixes of the kinds of file in the directory.
const (
	issueSuffix    = ".md"
	commentsSuffix = ".comments.md"
	linksSuffix    = ".links.json"
)

// maxRewriteAttempts bounds how often a write is retried when a person saves the same file
// at the same moment.
const maxRewriteAttempts = 5

// Options configures a Tracker.
type Options struct {
	// Dir holds the issue files; the caller resolves it (relative to symphony.yml).
	Dir      string
	Settings tracker.Settings
	// Logger receives one warning per malformed file version; defaults to slog.Default().
	Logger *slog.Logger
	// Now stamps comments; defaults to time.Now.
	Now func() time.Time
}

// Tracker reads and writes a directory of issue files. It is safe for concurrent use; writes
// from one process are serialized, and edits by people are detected and kept.
type Tracker struct {
	dir      string
	settings tracker.Settings
	log      *slog.Logger
	now      func() time.Time

	// writeMu serializes this process's writes; people's edits are caught by rewrite.
	writeMu sync.Mutex

	mu sync.Mutex
	// problems holds the malformed files found by the latest scan.
	problems []*ParseError
	// reported remembers which malformed file versions were logged already.
	reported map[string]string
}

var _ tracker.Tracker = (*Tracker)(nil)

// New checks the directory and settings and returns a tracker.
func New(opts Options) (*Tracker, error) {
	if err := opts.Settings.Validate(); err != nil {
		return nil, err
	}
	if err := checkSelectors(opts.Settings); err != nil {
		return nil, err
	}
	info, err := os.Stat(opts.Dir)
	if err != nil {
		return nil, tracker.Errorf(tracker.CodeInvalidSettings, "issues.local.dir %s: %w", opts.Dir, err)
	}
	if !info.IsDir() {
		return nil, tracker.Errorf(tracker.CodeInvalidSettings, "issues.local.dir %s is not a directory", opts.Dir)
	}
	t := &Tracker{dir: opts.Dir, settings: opts.Settings, log: opts.Logger, now: opts.Now, reported: map[string]string{}}
	if t.log == nil {
		t.log = slog.Default()
	}
	if t.now == nil {
		t.now = time.Now
	}
	return t, nil
}

// checkSelectors rejects selectors local files cannot answer.
func checkSelectors(s tracker.Settings) error {
	reject := func(where, what string) error {
		return tracker.Errorf(tracker.CodeUnsupportedSelector, "%s sets %s, which the local tracker cannot match: local issue files have no teams, projects or accounts", where, what)
	}
	if s.Scope.Team != "" {
		return reject("the issue-level scope", "team")
	}
	if s.Scope.ProjectSlug != "" {
		return reject("the issue-level scope", "project_slug")
	}
	if s.Scope.Assignee == tracker.AssigneeMe {
		return reject("the issue-level scope", `assignee "me"`)
	}
	for _, r := range s.Routes {
		where := "repository " + r.Key + " route"
		switch {
		case r.Team != "":
			return reject(where, "team")
		case len(tracker.NonEmpty(r.Projects)) > 0:
			return reject(where, "projects")
		case r.Assignee == tracker.AssigneeMe:
			return reject(where, `assignee "me"`)
		}
	}
	return nil
}

// Problems returns the malformed files found by the most recent read of the directory.
func (t *Tracker) Problems() []*ParseError {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]*ParseError(nil), t.problems...)
}

// scan reads every issue file, skipping (and reporting) the ones that do not parse.
func (t *Tracker) scan() ([]issue.Issue, error) {
	records, err := t.scanRecords()
	if err != nil {
		return nil, err
	}
	issues := make([]issue.Issue, len(records))
	for i, r := range records {
		issues[i] = r.Issue
	}
	return issues, nil
}

// scanRecords reads every issue file with its links to other issues.
func (t *Tracker) scanRecords() ([]record, error) {
	entries, err := os.ReadDir(t.dir)
	if err != nil {
		return nil, tracker.Errorf(tracker.CodeLocalIssueFile, "read issues directory: %w", err)
	}
	var (
		issues   []record
		problems []*ParseError
	)
	for _, e := range entries {
		name := e.Name()
		identifier, ok := identifierOf(name)
		if !ok || e.IsDir() {
			continue
		}
		path := filepath.Join(t.dir, name)
		is, err := readIssue(path, identifier)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				pe = &ParseError{Path: path, Msg: err.Error()}
			}
			problems = append(problems, pe)
			continue
		}
		issues = append(issues, is)
	}
	resolveBlockers(issues)
	t.mu.Lock()
	t.problems = problems
	for _, p := range problems {
		if t.reported[p.Path] != p.Error() {
			t.reported[p.Path] = p.Error()
			t.log.Warn("local issue file skipped", "path", p.Path, "line", p.Line, "reason", p.Msg)
		}
	}
	t.mu.Unlock()
	return issues, nil
}

// identifierOf returns the issue identifier a file name stands for.
func identifierOf(name string) (string, bool) {
	if !strings.HasSuffix(name, issueSuffix) || strings.HasSuffix(name, commentsSuffix) {
		return "", false
	}
	id := strings.TrimSuffix(name, issueSuffix)
	return id, identifierPattern.MatchString(id)
}

func readIssue(path, identifier string) (record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return record{}, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return record{}, err
	}
	is, err := parseIssueFile(path, identifier, data)
	if err != nil {
		return record{}, err
	}
	mod := info.ModTime()
	is.UpdatedAt = &mod
	return is, nil
}

// resolveBlockers fills in each blocker's id and state from the issue it names.
func resolveBlockers(issues []record) {
	byIdentifier := make(map[string]record, len(issues))
	for _, is := range issues {
		byIdentifier[is.Identifier] = is
	}
	for i := range issues {
		for j, b := range issues[i].BlockedBy {
			if other, ok := byIdentifier[b.Identifier]; ok {
				issues[i].BlockedBy[j].ID, issues[i].BlockedBy[j].State = other.ID, other.State
			}
		}
	}
}

// FetchCandidates implements tracker.Tracker.
func (t *Tracker) FetchCandidates(ctx context.Context) (tracker.Candidates, error) {
	results, err := t.routeResults(ctx, t.settings.ActiveStates)
	if err != nil {
		return tracker.Candidates{}, err
	}
	return tracker.Aggregate(results), nil
}

// FetchRouteCandidates implements tracker.Tracker.
func (t *Tracker) FetchRouteCandidates(ctx context.Context, routeKey string) ([]issue.Issue, error) {
	r, err := t.settings.Route(routeKey)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	all, err := t.scan()
	if err != nil {
		return nil, err
	}
	return tracker.TagRoute(t.match(all, r, t.settings.ActiveStates), r.Key), nil
}

// FetchIssuesByStates implements tracker.Tracker.
func (t *Tracker) FetchIssuesByStates(ctx context.Context, states []string) ([]issue.Issue, error) {
	if len(tracker.NonEmpty(states)) == 0 {
		return nil, nil
	}
	results, err := t.routeResults(ctx, states)
	if err != nil {
		return nil, err
	}
	return tracker.Aggregate(results).All(), nil
}

func (t *Tracker) routeResults(ctx context.Context, states []string) ([]tracker.RouteResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	all, err := t.scan()
	if err != nil {
		return nil, err
	}
	results := make([]tracker.RouteResult, 0, len(t.settings.Routes))
	for _, r := range t.settings.Routes {
		results = append(results, tracker.RouteResult{Route: r, Issues: t.match(all, r, states)})
	}
	return results, nil
}

func (t *Tracker) match(all []issue.Issue, r tracker.Route, states []string) []issue.Issue {
	sel := t.settings.Effective(r)
	var out []issue.Issue
	for _, is := range all {
		if issue.StateIn(is.State, states) && sel.Matches(is, "") {
			out = append(out, is)
		}
	}
	return out
}

// FetchIssueStatesByIDs implements tracker.Tracker.
func (t *Tracker) FetchIssueStatesByIDs(ctx context.Context, ids []string) ([]issue.Issue, error) {
	ids = tracker.NonEmpty(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	all, err := t.scan()
	if err != nil {
		return nil, err
	}
	byID := make(map[string]issue.Issue, len(all))
	for _, is := range all {
		is.AssignedToWorker = t.settings.Scope.Assigned(is.AssigneeID, "")
		byID[is.ID] = is
	}
	var out []issue.Issue
	for _, id := range ids {
		if is, ok := byID[id]; ok {
			out = append(out, is)
		}
	}
	return out, nil
}

// FetchIssueByIdentifier implements tracker.Tracker. A malformed file is reported with its
// location rather than as a missing issue.
func (t *Tracker) FetchIssueByIdentifier(ctx context.Context, identifier string) (issue.Issue, error) {
	if err := ctx.Err(); err != nil {
		return issue.Issue{}, err
	}
	path, err := t.issuePath(identifier)
	if err != nil {
		return issue.Issue{}, err
	}
	all, err := t.scan()
	if err != nil {
		return issue.Issue{}, err
	}
	for _, is := range all {
		if is.Identifier == identifier {
			is.AssignedToWorker = t.settings.Scope.Assigned(is.AssigneeID, "")
			return is, nil
		}
	}
	for _, p := range t.Problems() {
		if p.Path == path {
			return issue.Issue{}, tracker.Errorf(tracker.CodeLocalIssueFile, "%w", p)
		}
	}
	return issue.Issue{}, tracker.Errorf(tracker.CodeIssueNotFound, "no issue file %s", path)
}

func (t *Tracker) issuePath(identifier string) (string, error) {
	if !identifierPattern.MatchString(identifier) || strings.HasSuffix(identifier, ".comments") {
		return "", tracker.Errorf(tracker.CodeIssueNotFound, "%q is not a local issue identifier (letters, digits, '.', '_', '-')", identifier)
	}
	return filepath.Join(t.dir, identifier+issueSuffix), nil
}

// byID finds the file of the issue with the given id (an identifier or a front matter id).
func (t *Tracker) byID(issueID string) (issue.Issue, string, error) {
	all, err := t.scan()
	if err != nil {
		return issue.Issue{}, "", err
	}
	for _, is := range all {
		if is.ID == issueID {
			return is, filepath.Join(t.dir, is.Identifier+issueSuffix), nil
		}
	}
	return issue.Issue{}, "", tracker.Errorf(tracker.CodeIssueNotFound, "no readable issue file in %s has id %s", t.dir, issueID)
}

// UpdateIssueState rewrites the state value in the issue's front matter and nothing else.
func (t *Tracker) UpdateIssueState(ctx context.Context, issueID, stateName string) error {
	if strings.TrimSpace(stateName) == "" || strings.ContainsAny(stateName, "\r\n") {
		return tracker.Errorf(tracker.CodeStateNotFound, "state name %q must be one non-empty line", stateName)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	_, path, err := t.byID(issueID)
	if err != nil {
		return err
	}
	return rewrite(path, func(old []byte) ([]byte, error) {
		updated, err := replaceState(old, stateName)
		if err != nil {
			return nil, &ParseError{Path: path, Msg: err.Error()}
		}
		return updated, nil
	})
}

// rewrite applies change to the file's current content and replaces it atomically, starting
// over when someone else changes the file in between.
func rewrite(path string, change func([]byte) ([]byte, error)) error {
	for range maxRewriteAttempts {
		old, err := os.ReadFile(path)
		if err != nil && !(errors.Is(err, os.ErrNotExist) && (strings.HasSuffix(path, commentsSuffix) || strings.HasSuffix(path, linksSuffix))) {
			return tracker.Errorf(tracker.CodeLocalIssueFile, "read %s: %w", path, err)
		}
		updated, err := change(old)
		if err != nil {
			return tracker.Errorf(tracker.CodeLocalIssueFile, "%w", err)
		}
		err = replaceFile(path, updated, old)
		if errors.Is(err, errChanged) {
			continue
		}
		if err != nil {
			return tracker.Errorf(tracker.CodeLocalIssueFile, "write %s: %w", path, err)
		}
		return nil
	}
	return tracker.Errorf(tracker.CodeLocalIssueFile, "%s kept changing; gave up after %d attempts", path, maxRewriteAttempts)
}

// ListComments implements tracker.Tracker.
func (t *Tracker) ListComments(ctx context.Context, issueID string) ([]issue.Comment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	is, _, err := t.byID(issueID)
	if err != nil {
		return nil, err
	}
	path := t.commentsPath(is)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, tracker.Errorf(tracker.CodeLocalIssueFile, "read %s: %w", path, err)
	}
	f, err := parseComments(path, data)
	if err != nil {
		return nil, tracker.Errorf(tracker.CodeLocalIssueFile, "%w", err)
	}
	return f.comments, nil
}

func (t *Tracker) commentsPath(is issue.Issue) string {
	return filepath.Join(t.dir, is.Identifier+commentsSuffix)
}

// CreateComment appends a comment to the issue's comments file.
func (t *Tracker) CreateComment(ctx context.Context, issueID, body string) (issue.Comment, error) {
	return t.editComments(ctx, issueID, func(f *commentsFile, now *time.Time) (issue.Comment, error) {
		created := issue.Comment{ID: nextCommentID(f.comments), Author: "symphony", Body: strings.TrimRight(body, "\n"), CreatedAt: now, UpdatedAt: now}
		f.comments = append(f.comments, created)
		return created, nil
	})
}

// UpdateComment replaces a comment's body in the issue's comments file.
func (t *Tracker) UpdateComment(ctx context.Context, issueID, commentID, body string) (issue.Comment, error) {
	updated, err := t.editComments(ctx, issueID, func(f *commentsFile, now *time.Time) (issue.Comment, error) {
		for i, c := range f.comments {
			if c.ID == commentID {
				c.Body, c.UpdatedAt = strings.TrimRight(body, "\n"), now
				f.comments[i] = c
				return c, nil
			}
		}
		return issue.Comment{}, errNoComment{issueID: issueID, commentID: commentID}
	})
	var missing errNoComment
	if errors.As(err, &missing) {
		return issue.Comment{}, tracker.Errorf(tracker.CodeCommentNotFound, "%s", missing.Error())
	}
	return updated, err
}

// editComments applies edit to the issue's comments file under the write lock, atomically.
func (t *Tracker) editComments(ctx context.Context, issueID string, edit func(f *commentsFile, now *time.Time) (issue.Comment, error)) (issue.Comment, error) {
	if err := ctx.Err(); err != nil {
		return issue.Comment{}, err
	}
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	is, _, err := t.byID(issueID)
	if err != nil {
		return issue.Comment{}, err
	}
	path := t.commentsPath(is)
	now := t.now().UTC().Truncate(time.Second)
	var result issue.Comment
	err = rewrite(path, func(old []byte) ([]byte, error) {
		f, err := parseComments(path, old)
		if err != nil {
			return nil, err
		}
		if result, err = edit(&f, &now); err != nil {
			return nil, err
		}
		return f.render(), nil
	})
	return result, err
}

type errNoComment struct{ issueID, commentID string }

func (e errNoComment) Error() string {
	return fmt.Sprintf("issue %s has no comment %s", e.issueID, e.commentID)
}

// nextCommentID picks c<n> one past the highest numbered id in use.
func nextCommentID(comments []issue.Comment) string {
	highest := 0
	for _, c := range comments {
		var n int
		if _, err := fmt.Sscanf(c.ID, "c%d", &n); err == nil && n > highest {
			highest = n
		}
	}
	return fmt.Sprintf("c%d", max(highest, len(comments))+1)
}
