package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/depaudit"
	"github.com/symphony-go/symphony/internal/github/githubtest"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/testenv"
	"github.com/symphony-go/symphony/internal/workspace"
)

// depGateOriginURL is the GitHub address every workspace's origin shows; url.insteadOf sends
// git's traffic for it to the bare repository on disk.
const depGateOriginURL = "https://github.com/acme/shop.git"

// npmLock is a package-lock.json (v3) for package.json's dependencies, each resolved from the
// tarball URL given.
func npmLock(resolved map[string]string) string {
	var names []string
	for name := range resolved {
		names = append(names, name)
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString("{\n  \"name\": \"shop\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {\"name\": \"shop\"}")
	for _, name := range names {
		fmt.Fprintf(&b, ",\n    \"node_modules/%s\": {\n      \"resolved\": %q\n    }", name, resolved[name])
	}
	b.WriteString("\n  }\n}\n")
	return b.String()
}

// depGateEnv is a service opened in-process the way `symphony` opens it, over a local tracker
// and a bare origin on disk that the fake GitHub mirrors.
type depGateEnv struct {
	dir, bare, state string
	gh               *githubtest.Server
	svc              *service
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// newDepGateEnv seeds the bare origin's main with left-pad from the npm registry, writes the
// local tracker's issues and a config allowing only registry.npmjs.org, and opens the service.
func newDepGateEnv(t *testing.T, identifiers ...string) *depGateEnv {
	t.Helper()
	testenv.Tool(t, "git")
	e := &depGateEnv{dir: t.TempDir()}
	e.bare, e.state = filepath.Join(e.dir, "origin.git"), filepath.Join(e.dir, "state")
	t.Setenv("HOME", filepath.Join(e.dir, "home"))
	t.Setenv("OPENAI_API_KEY", "depgate-test")

	seed := filepath.Join(e.dir, "src")
	testenv.Git(t, e.dir, "init", "-q", "--bare", "-b", "main", e.bare)
	testenv.Git(t, e.dir, "clone", "-q", e.bare, seed)
	writeFiles(t, seed, map[string]string{
		"package.json":      "{\"name\": \"shop\", \"dependencies\": {\n  \"left-pad\": \"^1.2.0\"\n}}\n",
		"package-lock.json": npmLock(map[string]string{"left-pad": "https://registry.npmjs.org/left-pad/-/left-pad-1.2.0.tgz"}),
	})
	testenv.Git(t, seed, "add", ".")
	testenv.Git(t, seed, "commit", "-qm", "seed")
	testenv.Git(t, seed, "push", "-q", "origin", "HEAD:main")

	e.gh = githubtest.NewServer(t, githubtest.Options{})
	e.gh.AddRepository(githubtest.Repository{Owner: "acme", Name: "shop", Branches: map[string]string{"main": testenv.GitOutput(t, e.bare, "rev-parse", "main")}})
	t.Setenv("SYMPHONY_GITHUB_API_URL", e.gh.URL)
	t.Setenv("GH_TOKEN", githubtest.Token)

	issues := filepath.Join(e.dir, "issues")
	if err := os.MkdirAll(issues, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, id := range identifiers {
		writeFiles(t, issues, map[string]string{id + ".md": "---\ntitle: Work on " + id + "\nstate: Todo\n---\nDo it.\n"})
	}
	config := filepath.Join(e.dir, "symphony.yml")
	writeFiles(t, e.dir, map[string]string{"WORKFLOW.md": "Work on {{ issue.identifier }}.\n", "symphony.yml": `issues:
  provider: local
  local: {dir: issues}
  states: {active: [Todo], terminal: [Done]}
repositories:
  - key: shop
    workspace: {strategy: worktree, repo: src}
workspaces:
  root: workspaces
agent:
  runtime: codex
  command: "true app-server"
dependency_audit:
  allow_registries: [registry.npmjs.org]
`})

	g := &Globals{ConfigPath: config, stateRoot: e.state, logFormat: "text", logLevel: "info"}
	cmd := &cobra.Command{}
	var stderr bytes.Buffer
	cmd.SetErr(&stderr)
	svc, err := openService(context.Background(), cmd, g)
	if err != nil {
		t.Fatalf("open the service: %v\n%s", err, stderr.String())
	}
	e.svc = svc
	t.Cleanup(svc.close)
	return e
}

// workspace clones the origin for one issue, on its own branch, with change committed on it.
func (e *depGateEnv) workspace(t *testing.T, identifier string, change map[string]string) string {
	t.Helper()
	ws := filepath.Join(e.dir, "workspaces", identifier)
	testenv.Git(t, e.dir, "clone", "-q", e.bare, ws)
	testenv.Git(t, ws, "config", "url."+e.bare+".insteadOf", depGateOriginURL)
	testenv.Git(t, ws, "remote", "set-url", "origin", depGateOriginURL)
	testenv.Git(t, ws, "switch", "-q", "-c", "auto/"+identifier)
	writeFiles(t, ws, change)
	testenv.Git(t, ws, "add", ".")
	testenv.Git(t, ws, "commit", "-qm", "dependencies for "+identifier)
	return ws
}

// toolHost builds the session tool host the service gives an agent working on identifier.
func (e *depGateEnv) toolHost(t *testing.T, identifier, ws string) (agent.ToolRegistry, issue.Issue) {
	t.Helper()
	ctx := context.Background()
	candidates, err := e.svc.tracker.FetchCandidates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(candidates.Dispatchable, func(is issue.Issue) bool { return is.Identifier == identifier })
	if i < 0 {
		t.Fatalf("the local tracker offers no %s: %+v", identifier, candidates)
	}
	is := candidates.Dispatchable[i]
	host, err := e.svc.toolHosts()(e.svc.configs.Current(), orchestrator.AgentRequest{RunID: "run-" + identifier, Issue: is,
		Workspace: workspace.Workspace{Path: ws, RepoKey: is.RepoKey, IssueID: is.ID, Identifier: identifier}, Events: func(agent.Event) {}})
	if err != nil {
		t.Fatal(err)
	}
	return host, is
}

// dependencyEvents lists the dependency gate's audit records for an issue, leaving out the
// tool_call records every call writes.
func dependencyEvents(t *testing.T, stateRoot, identifier string) []string {
	t.Helper()
	var out []string
	for _, event := range auditEventTypes(t, stateRoot, identifier) {
		if strings.HasPrefix(event, "dependency_") {
			out = append(out, event)
		}
	}
	return out
}

type toolEnvelope struct {
	// Text is the result as the model reads it, for failure messages.
	Text    string         `json:"-"`
	Success bool           `json:"success"`
	Output  map[string]any `json:"output"`
	Error   *struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Details map[string]any `json:"details"`
	} `json:"error"`
}

func callTool(t *testing.T, host agent.ToolRegistry, name, args string) toolEnvelope {
	t.Helper()
	res := host.Call(context.Background(), name, json.RawMessage(args))
	var env toolEnvelope
	if err := json.Unmarshal([]byte(res.Text), &env); err != nil || env.Success != res.Success {
		t.Fatalf("%s: unreadable result (%v): %s", name, err, res.Text)
	}
	env.Text = res.Text
	return env
}

func (e *depGateEnv) comments(t *testing.T, issueID string) []string {
	t.Helper()
	cs, err := e.svc.tracker.ListComments(context.Background(), issueID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range cs {
		out = append(out, c.Body)
	}
	return out
}

// TestDependencyGateHoldsThePullRequestUntilApproveDeps drives the dependency gate through the
// service's own tool hosts: a lock file resolving a package from a registry off the allow-list
// holds github_create_pull_request (and the push) with the list, comments it on the issue and
// audits it; `symphony approve-deps` approves it, and the same call then opens the pull
// request. A change that only bumps an allowed dependency opens its pull request at once.
func TestDependencyGateHoldsThePullRequestUntilApproveDeps(t *testing.T) {
	ctx := context.Background()
	e := newDepGateEnv(t, "SHOP-1", "SHOP-2")
	const prArgs = `{"title": "SHOP-1: add lodahs", "body": "Adds lodahs."}`
	const evilLine = "npm package lodahs from registry npm.evil.example (package-lock.json:"

	ws := e.workspace(t, "SHOP-1", map[string]string{
		"package.json": "{\"name\": \"shop\", \"dependencies\": {\n  \"left-pad\": \"^1.2.0\",\n  \"lodahs\": \"^1.0.0\"\n}}\n",
		"package-lock.json": npmLock(map[string]string{
			"left-pad": "https://registry.npmjs.org/left-pad/-/left-pad-1.2.0.tgz",
			"lodahs":   "https://npm.evil.example/lodahs/-/lodahs-1.0.0.tgz",
		}),
	})
	host, shop1 := e.toolHost(t, "SHOP-1", ws)

	held := callTool(t, host, "github_create_pull_request", prArgs)
	if held.Success || held.Error.Code != "dependency_pending_approval" {
		t.Fatalf("create_pull_request with an unapproved registry: %s, want dependency_pending_approval", held.Text)
	}
	sources, _ := held.Error.Details["sources"].([]any)
	if len(sources) != 1 || !strings.HasPrefix(fmt.Sprint(sources[0]), evilLine) || !strings.Contains(held.Error.Message, "symphony approve-deps SHOP-1") {
		t.Errorf("held result lists %q, message %q; want only lodahs from npm.evil.example and the approve-deps command", sources, held.Error.Message)
	}
	if pushed := callTool(t, host, "github_push_branch", `{}`); pushed.Success || pushed.Error.Code != "dependency_pending_approval" {
		t.Errorf("push_branch while held: %s, want dependency_pending_approval", pushed.Text)
	}
	if out := testenv.GitOutput(t, e.bare, "branch", "--list", "auto/SHOP-1"); out != "" {
		t.Errorf("the held branch reached the origin: %q", out)
	}
	if prs := e.gh.PullRequests("acme/shop"); len(prs) != 0 {
		t.Fatalf("pull requests exist while held: %+v", prs)
	}
	comments := e.comments(t, shop1.ID)
	if len(comments) != 1 || !strings.Contains(comments[0], evilLine) || !strings.Contains(comments[0], "symphony approve-deps SHOP-1") {
		t.Fatalf("SHOP-1 comments %q, want one naming npm.evil.example and `symphony approve-deps SHOP-1`", comments)
	}
	if got, want := dependencyEvents(t, e.state, "SHOP-1"), []string{depaudit.EventPendingApproval}; !slices.Equal(got, want) {
		t.Fatalf("audit events for SHOP-1 %q, want %q", got, want)
	}

	code, out, errOut := runCLI(t, "approve-deps", "--state-root", e.state, "SHOP-1")
	if code != ExitOK || !strings.Contains(out, "approved for SHOP-1") || !strings.Contains(out, evilLine) {
		t.Fatalf("approve-deps: exit %d\n%s%s", code, out, errOut)
	}
	// The service holds the audit log, so its gate records the approval at the next review.
	if !strings.Contains(out, "the running service holds the audit log") {
		t.Errorf("approve-deps did not defer the audit record to the running service:\n%s", out)
	}
	if got, want := dependencyEvents(t, e.state, "SHOP-1"), []string{depaudit.EventPendingApproval}; !slices.Equal(got, want) {
		t.Errorf("audit events for SHOP-1 right after approve-deps %q, want %q", got, want)
	}

	if pushed := callTool(t, host, "github_push_branch", `{}`); !pushed.Success {
		t.Fatalf("push_branch after approve-deps: %s", pushed.Text)
	}
	if err := e.gh.SyncBranchesFromGit("acme/shop", e.bare); err != nil {
		t.Fatal(err)
	}
	opened := callTool(t, host, "github_create_pull_request", prArgs)
	if !opened.Success {
		t.Fatalf("the same create_pull_request after approve-deps: %s", opened.Text)
	}
	prs := e.gh.PullRequests("acme/shop")
	if len(prs) != 1 || prs[0].Head != "auto/SHOP-1" || prs[0].Base != "main" || prs[0].Title != "SHOP-1: add lodahs" {
		t.Fatalf("pull requests %+v, want one from auto/SHOP-1 into main", prs)
	}
	if got, want := dependencyEvents(t, e.state, "SHOP-1"), []string{depaudit.EventPendingApproval, depaudit.EventApproved}; !slices.Equal(got, want) {
		t.Errorf("audit events for SHOP-1 after approval %q, want %q", got, want)
	}
	if n := len(e.comments(t, shop1.ID)); n != 1 {
		t.Errorf("SHOP-1 has %d comments after approval, want still the one", n)
	}

	ws2 := e.workspace(t, "SHOP-2", map[string]string{
		"package.json":      "{\"name\": \"shop\", \"dependencies\": {\n  \"left-pad\": \"^1.3.0\"\n}}\n",
		"package-lock.json": npmLock(map[string]string{"left-pad": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz"}),
	})
	host2, shop2 := e.toolHost(t, "SHOP-2", ws2)
	if pushed := callTool(t, host2, "github_push_branch", `{}`); !pushed.Success {
		t.Fatalf("push_branch of an allowed bump: %s", pushed.Text)
	}
	if err := e.gh.SyncBranchesFromGit("acme/shop", e.bare); err != nil {
		t.Fatal(err)
	}
	if bump := callTool(t, host2, "github_create_pull_request", `{"title": "SHOP-2: bump left-pad", "body": "Bumps left-pad."}`); !bump.Success {
		t.Fatalf("create_pull_request of an allowed bump: %s", bump.Text)
	}
	prs = e.gh.PullRequests("acme/shop")
	if len(prs) != 2 || prs[1].Head != "auto/SHOP-2" || prs[1].Base != "main" {
		t.Errorf("pull requests %+v, want the second from auto/SHOP-2 into main", prs)
	}
	if cs := e.comments(t, shop2.ID); len(cs) != 0 {
		t.Errorf("the allowed bump commented on SHOP-2: %q", cs)
	}
	if _, pending, err := depaudit.PendingApproval(ctx, e.svc.store, "SHOP-2"); err != nil || pending {
		t.Errorf("SHOP-2 pending approval %v (%v), want none", pending, err)
	}
	if got := dependencyEvents(t, e.state, "SHOP-2"); len(got) != 0 {
		t.Errorf("audit events for SHOP-2 %q, want none from the dependency gate", got)
	}
}
