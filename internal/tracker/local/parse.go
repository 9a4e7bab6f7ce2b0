package local

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/yamlschema"
)

// identifierPattern is what a file name stem must look like to be an issue.
var identifierPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// fileFields is the front matter schema; every key is documented in doc.go.
type fileFields struct {
	Title       string   `yaml:"title"`
	State       string   `yaml:"state"`
	ID          string   `yaml:"id"`
	Priority    *int     `yaml:"priority"`
	Labels      []string `yaml:"labels"`
	BlockedBy   []string `yaml:"blocked_by"`
	Parent      string   `yaml:"parent"`
	Related     []string `yaml:"related"`
	DuplicateOf string   `yaml:"duplicate_of"`
	Assignee    string   `yaml:"assignee"`
	BranchName  string   `yaml:"branch_name"`
	URL         string   `yaml:"url"`
	CreatedAt   string   `yaml:"created_at"`
}

// ParseError locates a problem in an issue or comments file.
type ParseError struct {
	Path string
	// Line is 1-based; 0 when the problem is not tied to a line.
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return e.Path + ": " + e.Msg
}

// record is one parsed issue file: the issue and the links to other issues that the issue
// model has no place for, all as identifiers.
type record struct {
	issue.Issue
	Parent      string
	Related     []string
	DuplicateOf string
}

// parseIssueFile reads one issue file. identifier comes from the file name; path is used in
// errors. Blockers carry identifiers only; the tracker fills in their ids and states.
func parseIssueFile(path, identifier string, data []byte) (record, error) {
	fail := func(line int, format string, args ...any) (record, error) {
		return record{}, &ParseError{Path: path, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	fm, err := splitFrontMatter(data)
	if err != nil {
		return fail(1, "%v", err)
	}
	var f fileFields
	if len(bytes.TrimSpace(fm.yaml)) > 0 {
		// The YAML starts on file line 2, after the opening delimiter.
		node, problem := yamlschema.Parse(path, fm.yaml, 1, "")
		if problem != nil {
			msg := problem.Msg
			if problem.Code != "" {
				msg = problem.Code + ": " + msg
			}
			return fail(problem.Line, "front matter: %s", msg)
		}
		if err := decodeFrontMatter(node, &f); err != nil {
			line, msg := yamlErrorPosition(err)
			return fail(line, "front matter: %s", msg)
		}
	}
	keyLine := func(key string) int { return keyLineOf(fm.yaml, key) }
	if strings.TrimSpace(f.Title) == "" {
		return fail(keyLine("title"), "title is required and must not be empty")
	}
	if strings.TrimSpace(f.State) == "" {
		return fail(keyLine("state"), "state is required and must not be empty")
	}
	is := issue.Issue{
		ID:               strings.TrimSpace(f.ID),
		Identifier:       identifier,
		Title:            strings.TrimSpace(f.Title),
		Description:      string(fm.body),
		Priority:         f.Priority,
		State:            strings.TrimSpace(f.State),
		BranchName:       strings.TrimSpace(f.BranchName),
		URL:              strings.TrimSpace(f.URL),
		AssigneeID:       strings.TrimSpace(f.Assignee),
		AssignedToWorker: true,
	}
	if is.ID == "" {
		is.ID = identifier
	}
	for _, l := range f.Labels {
		if l = strings.ToLower(strings.TrimSpace(l)); l != "" {
			is.Labels = append(is.Labels, l)
		}
	}
	for _, b := range f.BlockedBy {
		if b = strings.TrimSpace(b); b != "" {
			is.BlockedBy = append(is.BlockedBy, issue.Blocker{Identifier: b})
		}
	}
	if s := strings.TrimSpace(f.CreatedAt); s != "" {
		t, err := parseDate(s)
		if err != nil {
			return fail(keyLine("created_at"), "created_at %q is not an RFC 3339 time or YYYY-MM-DD date", s)
		}
		is.CreatedAt = &t
	}
	rec := record{Issue: is, Parent: strings.TrimSpace(f.Parent), DuplicateOf: strings.TrimSpace(f.DuplicateOf)}
	for _, r := range f.Related {
		if r = strings.TrimSpace(r); r != "" {
			rec.Related = append(rec.Related, r)
		}
	}
	return rec, nil
}

// decodeFrontMatter decodes the parsed front matter strictly and turns a decoder panic into
// an error: go-yaml v1.19.2 panics on some malformed input (a custom tag on a sequence, found
// by FuzzParseIssueFile), and a person's typo must never take the service down. The node
// comes from yamlschema.Parse, which has already refused text too large, too deep or with
// aliases that expand too far, so decoding it is bounded.
func decodeFrontMatter(node ast.Node, f *fileFields) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the YAML could not be decoded (%v)", r)
		}
	}()
	if node == nil {
		return nil
	}
	return yaml.NodeToValue(node, f, yaml.DisallowUnknownField(), yaml.Strict())
}

func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, s)
}

// yamlErrorPosition extracts the YAML line and a one-line message from a go-yaml error.
func yamlErrorPosition(err error) (int, string) {
	var ye yaml.Error
	if errors.As(err, &ye) {
		line := 0
		if tok := ye.GetToken(); tok != nil && tok.Position != nil {
			line = tok.Position.Line
		}
		return line, ye.GetMessage()
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return 0, msg
}

// keyLineOf returns the file line of a top-level key in the front matter, or 1 when absent.
func keyLineOf(yamlText []byte, key string) int {
	for i, line := range strings.Split(string(yamlText), "\n") {
		if k, _, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == key && !strings.HasPrefix(line, " ") {
			return i + 2
		}
	}
	return 1
}
