package local

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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

// Tracker reads and writes a directory of issue files. It is safe for concurrent use; one
// process's writes to an issue are serialized, and edits by people are detected and kept. Reads are served
// from an index of the files that is brought up to date before each answer (see Watch).
type Tracker struct {
	dir      string
	settings tracker.Settings
	log      *slog.Logger
	now      func() time.Time

	// writes serializes this process's writes to each issue's files.
	writes issueLocks

	// refreshMu lets one caller at a time check files and guards the fields below it.
	refreshMu sync.Mutex
	files     map[string]*entry
	// viewStale says files changed since the view was built; namesChanged that files came or went.
	viewStale    bool
	namesChanged bool
	lastFullScan time.Time
	// reported remembers which malformed file versions were logged already.
	reported map[string]string

	// view is what readers use, without holding any lock.
	view atomic.Pointer[view]
	// changes is what the watcher saw, when it runs.
	changes changes
	// filesRead and filesParsed count issue files read and parsed, so tests and benchmarks
	// see what a call cost.
	filesRead   atomic.Int64
	filesParsed atomic.Int64
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
	t := &Tracker{dir: opts.Dir, settings: opts.Settings, log: opts.Logger, now: opts.Now, files: map[string]*entry{}, reported: map[string]string{}}
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
	v := t.view.Load()
	if v == nil {
		return nil
	}
	return slices.Clone(v.problems)
}

// identifierOf returns the issue identifier a file name stands for.
func identifierOf(name string) (string, bool) {
	if !strings.HasSuffix(name, issueSuffix) || strings.HasSuffix(name, commentsSuffix) {
		return "", false
	}
	id := strings.TrimSuffix(name, issueSuffix)
	return id, identifierPattern.MatchString(id)
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
	v, err := t.fresh()
	if err != nil {
		return nil, err
	}
	b := t.builder(v)
	return tracker.TagRoute(t.match(b, r, t.settings.ActiveStates), r.Key), nil
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
	v, err := t.fresh()
	if err != nil {
		return nil, err
	}
	b := t.builder(v)
	results := make([]tracker.RouteResult, 0, len(t.settings.Routes))
	for _, r := range t.settings.Routes {
		results = append(results, tracker.RouteResult{Route: r, Issues: t.match(b, r, states)})
	}
	return results, nil
}

// match selects on the indexed front matter and reads a description only for an issue it returns.
func (t *Tracker) match(b *issuesOf, r tracker.Route, states []string) []issue.Issue {
	sel := t.settings.Effective(r)
	var matched []*entry
	for _, e := range b.v.valid {
		if issue.StateIn(e.rec.State, states) && sel.Matches(e.rec.Issue, "") {
			matched = append(matched, e)
		}
	}
	if len(matched) == 0 {
		return nil
	}
	out := make([]issue.Issue, 0, len(matched))
	for _, e := range matched {
		if is, ok := b.get(e); ok {
			out = append(out, is)
		}
	}
	return out
}

func (t *Tracker) builder(v *view) *issuesOf {
	return &issuesOf{t: t, v: v, built: map[*entry]*issue.Issue{}}
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
	v, err := t.freshIDs(ids)
	if err != nil {
		return nil, err
	}
	b := t.builder(v)
	var out []issue.Issue
	for _, id := range ids {
		e, ok := v.byID[id]
		if !ok {
			continue
		}
		if is, ok := b.get(e); ok {
			is.AssignedToWorker = t.settings.Scope.Assigned(is.AssigneeID, "")
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
	v, err := t.freshFiles(identifier)
	if err != nil {
		return issue.Issue{}, err
	}
	e, ok := v.byName[identifier]
	switch {
	case !ok:
		return issue.Issue{}, tracker.Errorf(tracker.CodeIssueNotFound, "no issue file %s", path)
	case e.problem != nil:
		return issue.Issue{}, tracker.Errorf(tracker.CodeLocalIssueFile, "%w", e.problem)
	}
	is, err := t.issueOf(v, e)
	if err != nil {
		return issue.Issue{}, err
	}
	is.AssignedToWorker = t.settings.Scope.Assigned(is.AssigneeID, "")
	return is, nil
}

func (t *Tracker) issuePath(identifier string) (string, error) {
	if !isIdentifier(identifier) {
		return "", tracker.Errorf(tracker.CodeIssueNotFound, "%q is not a local issue identifier (letters, digits, '.', '_', '-')", identifier)
	}
	return filepath.Join(t.dir, identifier+issueSuffix), nil
}

// byID finds the readable issue file with the given id (an identifier or a front matter id).
func (t *Tracker) byID(issueID string) (*entry, error) {
	v, err := t.freshIDs([]string{issueID})
	if err != nil {
		return nil, err
	}
	e, ok := v.byID[issueID]
	if !ok {
		return nil, tracker.Errorf(tracker.CodeIssueNotFound, "no readable issue file in %s has id %s", t.dir, issueID)
	}
	return e, nil
}

// UpdateIssueState rewrites the state value in the issue's front matter and nothing else.
func (t *Tracker) UpdateIssueState(ctx context.Context, issueID, stateName string) error {
	if strings.TrimSpace(stateName) == "" || strings.ContainsAny(stateName, "\r\n") {
		return tracker.Errorf(tracker.CodeStateNotFound, "state name %q must be one non-empty line", stateName)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	e, err := t.byID(issueID)
	if err != nil {
		return err
	}
	defer t.writes.lock(e.identifier)()
	var replaced, updated []byte
	written, err := rewrite(e.path, func(old []byte) ([]byte, error) {
		next, err := replaceState(old, stateName)
		if err != nil {
			return nil, &ParseError{Path: e.path, Msg: err.Error()}
		}
		replaced, updated = old, next
		return next, nil
	})
	if err != nil {
		t.recheck(e.identifier)
		return err
	}
	t.recordStateWrite(e, replaced, updated, written, stateName)
	return nil
}

// rewrite applies change to the file's current content and replaces it atomically, starting
// over when someone else changes the file in between. It returns the information of the file
// it wrote.
func rewrite(path string, change func([]byte) ([]byte, error)) (fs.FileInfo, error) {
	for range maxRewriteAttempts {
		old, err := os.ReadFile(path)
		if err != nil && !(errors.Is(err, os.ErrNotExist) && (strings.HasSuffix(path, commentsSuffix) || strings.HasSuffix(path, linksSuffix))) {
			return nil, tracker.Errorf(tracker.CodeLocalIssueFile, "read %s: %w", path, err)
		}
		updated, err := change(old)
		if err != nil {
			return nil, tracker.Errorf(tracker.CodeLocalIssueFile, "%w", err)
		}
		written, err := replaceFile(path, updated, old)
		if errors.Is(err, errChanged) {
			continue
		}
		if err != nil {
			return nil, tracker.Errorf(tracker.CodeLocalIssueFile, "write %s: %w", path, err)
		}
		return written, nil
	}
	return nil, tracker.Errorf(tracker.CodeLocalIssueFile, "%s kept changing; gave up after %d attempts", path, maxRewriteAttempts)
}

// ListComments implements tracker.Tracker.
func (t *Tracker) ListComments(ctx context.Context, issueID string) ([]issue.Comment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e, err := t.byID(issueID)
	if err != nil {
		return nil, err
	}
	path := t.commentsPath(e.identifier)
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

func (t *Tracker) commentsPath(identifier string) string {
	return filepath.Join(t.dir, identifier+commentsSuffix)
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
	e, err := t.byID(issueID)
	if err != nil {
		return issue.Comment{}, err
	}
	defer t.writes.lock(e.identifier)()
	path := t.commentsPath(e.identifier)
	now := t.now().UTC().Truncate(time.Second)
	var result issue.Comment
	_, err = rewrite(path, func(old []byte) ([]byte, error) {
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
