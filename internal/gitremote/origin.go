package gitremote

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/symphony-go/symphony/internal/github"
	"github.com/symphony-go/symphony/internal/gitprobe"
)

// DefaultTimeout bounds one git push or fetch when the caller sets none.
const DefaultTimeout = 2 * time.Minute

// Origin is a workspace's GitHub origin as captured when its session started.
type Origin struct {
	// Workspace is the git work tree the session runs in.
	Workspace string
	// URL is remote.origin.url as configured (before any url.*.insteadOf rewriting).
	URL  string
	Repo github.Repo
	// Branch is the checked-out branch at capture; empty when HEAD was detached.
	Branch string
	// config is the workspace's own git configuration (local and worktree scope, branch.*
	// left out) at capture: remote URLs, push URLs, url rewrites, proxies and helpers.
	config string
	// Timeout bounds every git run; zero means DefaultTimeout.
	Timeout time.Duration
}

// Capture reads the workspace's origin and branch. A workspace whose origin is not a GitHub
// repository (on github.com or an enterprise host) fails with CodeNotGitHub, so the caller can
// leave the GitHub tools out. So does a workspace in no git repository, told without running
// git (gitprobe.NoRepository): every session start calls this.
func Capture(ctx context.Context, workspace string, enterpriseHosts []string, timeout time.Duration) (Origin, error) {
	if strings.TrimSpace(workspace) == "" {
		return Origin{}, refuse(CodeMissingWorkspace, "the session has no workspace")
	}
	if gitprobe.NoRepository(workspace) {
		return Origin{}, refuse(CodeNotGitHub, "%s is in no git repository", workspace)
	}
	o := Origin{Workspace: workspace, Timeout: timeout}
	list, err := o.configList(ctx)
	if err != nil {
		return Origin{}, err
	}
	raw := originURL(list)
	repo, err := repoOfOrigin(raw, workspace, enterpriseHosts)
	if err != nil {
		return Origin{}, err
	}
	o.URL, o.Repo, o.config = raw, repo, ownConfig(list)
	if o.Branch, err = o.currentBranch(ctx); err != nil {
		return Origin{}, err
	}
	return o, nil
}

// RepoOf reads the GitHub repository of dir's origin, as Capture does, without the branch.
func RepoOf(ctx context.Context, dir string, enterpriseHosts []string) (github.Repo, error) {
	o := Origin{Workspace: dir}
	raw, err := o.git(ctx, "config", "--get", "remote.origin.url")
	if err != nil {
		return github.Repo{}, err
	}
	return repoOfOrigin(raw, dir, enterpriseHosts)
}

// repoOfOrigin parses remote.origin.url as git printed it for dir.
func repoOfOrigin(raw, dir string, enterpriseHosts []string) (github.Repo, error) {
	if strings.TrimSpace(raw) == "" {
		return github.Repo{}, refuse(CodeNotGitHub, "%s has no origin remote", dir)
	}
	repo, ok := parseOrigin(raw, enterpriseHosts)
	if !ok {
		return github.Repo{}, refuse(CodeNotGitHub, "origin %s of %s is not a GitHub repository on github.com or github.enterprise_hosts", strings.TrimSpace(raw), dir)
	}
	return repo, nil
}

// Verify refuses when the workspace's origin or its git configuration changed since capture,
// or when HEAD is detached or on another branch. It returns the branch to push.
func (o Origin) Verify(ctx context.Context) (string, error) {
	list, err := o.configList(ctx)
	if err != nil {
		return "", err
	}
	if raw := originURL(list); normalizeURL(raw) != normalizeURL(o.URL) {
		e := refuse(CodeOriginMismatch, "origin is now %q, not %q as when the session started; nothing was pushed or fetched", raw, o.URL)
		return "", e
	}
	if cfg := ownConfig(list); cfg != o.config {
		return "", refuse(CodeOriginMismatch, "the workspace's git configuration (%s) changed since the session started; nothing was pushed or fetched", changedKeys(o.config, cfg))
	}
	branch, err := o.currentBranch(ctx)
	if err != nil {
		return "", err
	}
	switch {
	case branch == "":
		return "", refuse(CodeDetachedHead, "HEAD is detached; check out the session's branch %s and commit there", o.Branch)
	case o.Branch != "" && branch != o.Branch:
		return "", refuse(CodeBranchChanged, "the workspace is on %s, but this session works on %s; check that branch out again", branch, o.Branch)
	}
	return branch, nil
}

// Push pushes the session's branch to the captured origin with token (may be empty for a
// remote that needs none). Hooks in the workspace do not run: they are the agent's files and
// this git runs outside its sandbox with the operator's credentials.
func (o Origin) Push(ctx context.Context, token string) (string, error) {
	branch, err := o.Verify(ctx)
	if err != nil {
		return "", err
	}
	ref := "refs/heads/" + branch
	res, err := o.remoteGit(ctx, token, "push", "--porcelain", "origin", ref+":"+ref)
	if err != nil {
		return "", err
	}
	out := sanitize(res.stderr + "\n" + res.stdout)
	if res.exitCode != 0 {
		if strings.Contains(strings.ToLower(out), "protected branch") {
			return "", &Error{Code: CodeProtectedBranch, Message: "the remote refused the push to " + branch + ": the branch is protected", Output: out}
		}
		return "", &Error{Code: CodePushFailed, Message: fmt.Sprintf("git push of %s to origin exited with status %d", branch, res.exitCode), Output: out}
	}
	return branch, nil
}

// Fetch updates the workspace's remote-tracking refs from the captured origin.
func (o Origin) Fetch(ctx context.Context, token string) (string, error) {
	if _, err := o.Verify(ctx); err != nil {
		return "", err
	}
	res, err := o.remoteGit(ctx, token, "fetch", "--prune", "origin")
	if err != nil {
		return "", err
	}
	out := sanitize(res.stderr + "\n" + res.stdout)
	if res.exitCode != 0 {
		return "", &Error{Code: CodeFetchFailed, Message: fmt.Sprintf("git fetch origin exited with status %d", res.exitCode), Output: out}
	}
	return out, nil
}

// HeadSHA is the commit the workspace's HEAD points at.
func (o Origin) HeadSHA(ctx context.Context) (string, error) {
	out, err := o.git(ctx, "rev-parse", "--verify", "HEAD")
	return strings.TrimSpace(out), err
}

// remoteGit runs a git command that talks to origin: workspace hooks and fsmonitor are off,
// and the only credential helper is Symphony's, answering for the origin's host with the
// token it reads from the child's environment.
func (o Origin) remoteGit(ctx context.Context, token string, args ...string) (result, error) {
	pre, env := o.remoteSetup(token)
	res, err := run(ctx, o.timeout(), env, append(pre, args...)...)
	if err != nil {
		if res.timedOut {
			return res, &Error{Code: codeFor(args[0]), Message: fmt.Sprintf("git %s did not finish within %s", args[0], o.timeout())}
		}
		return res, &Error{Code: codeFor(args[0]), Message: "git " + args[0] + " could not run: " + err.Error()}
	}
	return res, nil
}

// remoteOverrides take the settings that run programs or route traffic (and with it the
// token) out of the workspace's own configuration, which an agent may have written before the
// session started: command-line -c wins over every file.
var remoteOverrides = []string{"core.hooksPath=/dev/null", "core.fsmonitor=false", "core.sshCommand=ssh", "core.askPass=",
	"credential.helper=", "http.proxy=", "https.proxy=", "http.sslVerify=true"}

// remoteSetup is the git options and environment of a command that talks to origin. The token
// is in the environment only, never in an argument another process could read.
func (o Origin) remoteSetup(token string) (pre, env []string) {
	pre = []string{"-C", o.Workspace}
	for _, kv := range remoteOverrides {
		pre = append(pre, "-c", kv)
	}
	if token != "" {
		helper := fmt.Sprintf(`!f() { test "$1" = get && printf 'username=x-access-token\npassword=%%s\n' "$%s"; }; f`, tokenVariable)
		pre = append(pre, "-c", "credential.https://"+o.Repo.Host+".helper="+helper)
		env = append(env, tokenVariable+"="+token)
	}
	return pre, env
}

func codeFor(subcommand string) string {
	if subcommand == "push" {
		return CodePushFailed
	}
	return CodeFetchFailed
}

// git runs a local query; exit status 1 (a missing config key) is an empty answer.
func (o Origin) git(ctx context.Context, args ...string) (string, error) {
	res, err := run(ctx, o.timeout(), nil, append([]string{"-C", o.Workspace}, args...)...)
	if err != nil {
		return "", &Error{Code: CodeGitFailed, Message: "git " + strings.Join(args, " ") + " failed: " + err.Error()}
	}
	switch res.exitCode {
	case 0:
		return res.stdout, nil
	case 1:
		return "", nil
	}
	return "", &Error{Code: CodeGitFailed, Message: fmt.Sprintf("git %s exited with status %d", strings.Join(args, " "), res.exitCode), Output: sanitize(res.stderr)}
}

// currentBranch is the checked-out branch, or "" when HEAD is detached.
func (o Origin) currentBranch(ctx context.Context) (string, error) {
	out, err := o.git(ctx, "symbolic-ref", "--quiet", "--short", "HEAD")
	return strings.TrimSpace(out), err
}

// configList is the configuration git reads in the workspace, every scope in git's order,
// one "scope<TAB>key=value" line per entry. One listing answers both what the origin is and
// what the workspace's own configuration is: a session start (Capture) and every push
// (Verify) run one git for both instead of two.
func (o Origin) configList(ctx context.Context) (string, error) {
	return o.git(ctx, "config", "--list", "--show-scope")
}

// originURL is remote.origin.url in a configuration listing: its last value, the one
// `git config --get remote.origin.url` answers; "" when it is not set.
func originURL(list string) string {
	url := ""
	for _, line := range strings.Split(list, "\n") {
		_, entry, _ := strings.Cut(line, "\t")
		if value, ok := strings.CutPrefix(entry, "remote.origin.url="); ok {
			url = strings.TrimSpace(value)
		}
	}
	return url
}

// ownConfig is the workspace's own configuration (local and worktree scope) in a listing,
// sorted, without branch.* entries (checking out and tracking branches rewrites those
// legitimately).
func ownConfig(list string) string {
	var kept []string
	for _, line := range strings.Split(list, "\n") {
		scope, entry, ok := strings.Cut(line, "\t")
		if !ok || (scope != "local" && scope != "worktree") || strings.HasPrefix(entry, "branch.") {
			continue
		}
		kept = append(kept, scope+"\t"+entry)
	}
	sort.Strings(kept)
	return strings.Join(kept, "\n")
}

// changedKeys names the configuration keys that differ between two ownConfig listings.
func changedKeys(before, after string) string {
	count := map[string]int{}
	for _, line := range strings.Split(before, "\n") {
		count[line]++
	}
	for _, line := range strings.Split(after, "\n") {
		count[line]--
	}
	keys := map[string]bool{}
	for line, n := range count {
		if n != 0 && line != "" {
			_, entry, _ := strings.Cut(line, "\t")
			key, _, _ := strings.Cut(entry, "=")
			keys[key] = true
		}
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func (o Origin) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return DefaultTimeout
}
