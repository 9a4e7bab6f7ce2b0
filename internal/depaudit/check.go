package depaudit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Status is a report's verdict.
type Status string

const (
	// StatusPassed: every new dependency comes from an allowed source.
	StatusPassed Status = "passed"
	// StatusHeld: some new dependency (or a manifest the audit could not read) needs an
	// operator's approval before the change may leave the workspace.
	StatusHeld Status = "held"
	// StatusApproved: held, but an operator approved exactly this list for the issue.
	StatusApproved Status = "approved"
)

// Problem is a changed manifest the audit could not read; it holds the change, since a file
// that cannot be read could hide any source.
type Problem struct {
	File  string `json:"file"`
	Error string `json:"error"`
	// Object is the git object the problem is about (the file's blob, or the head commit
	// when the whole change is too big to read). It is part of the digest, so approving an
	// unreadable file approves that content only, not whatever unreadable text follows.
	Object string `json:"object"`
}

// Report is what the audit found between the merge base and the head.
type Report struct {
	Status    Status `json:"status"`
	MergeBase string `json:"merge_base"`
	Head      string `json:"head"`
	// Files are the changed manifests and lock files that were read.
	Files []string `json:"files,omitempty"`
	// New lists every dependency whose identity (ecosystem, name, source) the head adds.
	New []Dependency `json:"new,omitempty"`
	// Held is the part of New outside the allow-lists.
	Held     []Dependency `json:"held,omitempty"`
	Problems []Problem    `json:"problems,omitempty"`
	// Digest identifies what needs approval (Held and Problems, without files or lines);
	// empty when nothing does.
	Digest string `json:"digest,omitempty"`
}

// Summary is a one-line description for logs and tool results.
func (r Report) Summary() string {
	switch r.Status {
	case StatusHeld:
		return fmt.Sprintf("dependency audit held the change: %d new dependency source(s) outside the allow-lists, %d unreadable manifest(s)", len(r.Held), len(r.Problems))
	case StatusApproved:
		return fmt.Sprintf("dependency audit: %d new dependency source(s) outside the allow-lists, approved by an operator", len(r.Held))
	}
	return fmt.Sprintf("dependency audit passed: %d new dependency source(s), all allowed", len(r.New))
}

// Bounds on one audit, so a change crafted to be expensive (thousands of manifests, many
// large lock files) holds itself instead of stalling the push.
const (
	// MaxManifests caps the changed manifests and lock files one audit reads; a real change
	// touches a handful, a monorepo-wide upgrade a few dozen.
	MaxManifests = 200
	// MaxTotalBytes caps what one audit reads across all of them, both revisions together.
	MaxTotalBytes = 256 << 20
	// DefaultCheckTimeout bounds a whole audit.
	DefaultCheckTimeout = 2 * time.Minute
)

// Check audits the change from the merge base of baseRef and headRef to headRef in the git
// repository repoDir: every changed manifest or lock file is parsed at both ends, and each
// dependency the head adds is listed; one from a source allow does not name holds the
// report. Each git command is bounded by DefaultGitTimeout, the whole audit by
// DefaultCheckTimeout.
func Check(ctx context.Context, repoDir, baseRef, headRef string, allow Allow) (Report, error) {
	ctx, cancel := context.WithTimeout(ctx, DefaultCheckTimeout)
	defer cancel()
	return check(ctx, gitRunner{dir: repoDir, timeout: DefaultGitTimeout}, baseRef, headRef, allow, defaultLimits)
}

// limits are the bounds of one audit; tests shrink them.
type limits struct {
	manifests  int
	totalBytes int64
}

var defaultLimits = limits{manifests: MaxManifests, totalBytes: MaxTotalBytes}

func check(ctx context.Context, git gitRunner, baseRef, headRef string, allow Allow, lim limits) (Report, error) {
	head, err := git.commit(ctx, headRef)
	if err != nil {
		return Report{}, fmt.Errorf("dependency audit: resolve head %q: %w", headRef, err)
	}
	base, err := git.commit(ctx, baseRef)
	if err != nil {
		return Report{}, fmt.Errorf("dependency audit: resolve base %q: %w", baseRef, err)
	}
	mergeBase, err := git.mergeBase(ctx, base, head)
	if err != nil {
		return Report{}, fmt.Errorf("dependency audit: merge base of %q and %q: %w", baseRef, headRef, err)
	}
	changed, err := git.changedFiles(ctx, mergeBase, head)
	if err != nil {
		return Report{}, fmt.Errorf("dependency audit: %w", err)
	}
	r := Report{MergeBase: mergeBase, Head: head}
	var manifests []string
	for _, file := range changed {
		if parserFor(file) != nil {
			manifests = append(manifests, file)
		}
	}
	if len(manifests) > lim.manifests {
		r.Problems = append(r.Problems, Problem{File: manifests[lim.manifests], Object: head, Error: fmt.Sprintf(
			"the change touches %d manifests and lock files, more than the %d one audit reads; this one and the rest were not read", len(manifests), lim.manifests)})
		manifests = manifests[:lim.manifests]
	}
	headTree, err := git.tree(ctx, head, manifests)
	if err != nil {
		return Report{}, fmt.Errorf("dependency audit: %w", err)
	}
	baseTree, err := git.tree(ctx, mergeBase, manifests)
	if err != nil {
		return Report{}, fmt.Errorf("dependency audit: %w", err)
	}
	budget := lim.totalBytes
	for _, file := range manifests {
		newBlob, present := headTree[file]
		if !present {
			// Deleted by the change: it adds nothing.
			continue
		}
		oldBlob, hadBase := baseTree[file]
		budget -= newBlob.size + oldBlob.size
		if budget < 0 {
			r.Problems = append(r.Problems, Problem{File: file, Object: newBlob.object, Error: fmt.Sprintf(
				"the changed manifests and lock files add up to more than the %d bytes one audit reads", lim.totalBytes)})
			continue
		}
		added, err := addedInFile(ctx, git, file, newBlob, oldBlob, hadBase)
		if ctx.Err() != nil {
			return Report{}, fmt.Errorf("dependency audit: %w", ctx.Err())
		}
		if err != nil {
			r.Problems = append(r.Problems, Problem{File: file, Object: newBlob.object, Error: err.Error()})
			continue
		}
		r.Files = append(r.Files, file)
		r.New = append(r.New, added...)
	}
	for _, d := range r.New {
		if !allow.Allows(d.Source) {
			r.Held = append(r.Held, d)
		}
	}
	r.Status = StatusPassed
	if len(r.Held) > 0 || len(r.Problems) > 0 {
		r.Status = StatusHeld
		r.Digest = digest(r.Held, r.Problems)
	}
	return r, nil
}

// addedInFile parses a file's head and merge-base versions and returns the head's
// dependencies whose identity the merge base lacks.
func addedInFile(ctx context.Context, git gitRunner, file string, newBlob, oldBlob blobInfo, hadBase bool) ([]Dependency, error) {
	newData, err := git.read(ctx, newBlob)
	if err != nil {
		return nil, err
	}
	newDeps, err := parseFile(file, newData)
	if err != nil {
		return nil, err
	}
	old := map[identity]bool{}
	if hadBase {
		oldData, err := git.read(ctx, oldBlob)
		if err != nil {
			return nil, fmt.Errorf("the merge base's version: %w", err)
		}
		// A base version that no longer parses cannot vouch for anything: every dependency
		// of the head's version counts as new.
		if oldDeps, err := parseFile(file, oldData); err == nil {
			for _, d := range oldDeps {
				old[d.identity()] = true
			}
		}
	}
	var added []Dependency
	seen := map[identity]bool{}
	for _, d := range newDeps {
		id := d.identity()
		if old[id] || seen[id] {
			continue
		}
		seen[id] = true
		added = append(added, d)
	}
	return added, nil
}

// digest identifies a held list independently of files, lines and order, so an approval
// still applies after the agent rebases or moves a line; an unreadable manifest counts with
// its content.
func digest(held []Dependency, problems []Problem) string {
	var keys []string
	for _, d := range held {
		keys = append(keys, strings.Join([]string{"dep", d.Ecosystem, d.Package, string(d.Source.Kind), d.Source.Location}, "\x00"))
	}
	for _, p := range problems {
		keys = append(keys, "unreadable\x00"+p.File+"\x00"+p.Object)
	}
	sort.Strings(keys)
	keys = compactStrings(keys)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	return hex.EncodeToString(sum[:])
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
