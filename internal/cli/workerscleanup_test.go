package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/sshworker"
	"github.com/symphony-go/symphony/internal/sshworker/remotews"
	"github.com/symphony-go/symphony/internal/sshworker/sshdtest"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/testenv"
)

// fixedOwners answers the terminal issues from a list.
type fixedOwners struct{ terminal []issue.Issue }

func (o fixedOwners) TerminalIssues(context.Context) ([]issue.Issue, error) { return o.terminal, nil }
func (o fixedOwners) TrackedIssues(context.Context) ([]issue.Issue, error)  { return o.terminal, nil }

// removals is a worker host's Workspaces that records what it was asked to remove.
type removals struct {
	orchestrator.Workspaces
	host    string
	removed *[]string
	err     error
}

func (r removals) Remove(_ context.Context, repoKey, id, identifier string) error {
	*r.removed = append(*r.removed, r.host+" "+repoKey+"/"+identifier)
	return r.err
}

// At start, a terminal issue's workspace is removed on the host of its newest run only: not
// on an older run's host, not for an issue whose newest run was local, and a host that fails
// keeps its workspace without stopping the others.
func TestStartupRemovesTerminalWorkspacesOnTheirHosts(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{StateRoot: t.TempDir(), Redactor: secretscan.New()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, r := range []store.Run{
		{RepoKey: "app", IssueID: "1", IssueIdentifier: "APP-1", WorkerHost: "old:22"},
		{RepoKey: "app", IssueID: "1", IssueIdentifier: "APP-1", WorkerHost: "h1"},
		{RepoKey: "app", IssueID: "2", IssueIdentifier: "APP-2", WorkerHost: "h2"},
		{RepoKey: "app", IssueID: "3", IssueIdentifier: "APP-3"},
		{RepoKey: "app", IssueID: "4", IssueIdentifier: "APP-4", WorkerHost: "h1"},
	} {
		run, err := st.StartRun(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		run.Status = store.StatusSuccess
		if err := st.FinishRun(ctx, run); err != nil {
			t.Fatal(err)
		}
	}
	terminal := []issue.Issue{{ID: "1", Identifier: "APP-1", RepoKey: "app"}, {ID: "2", Identifier: "APP-2", RepoKey: "app"},
		{ID: "3", Identifier: "APP-3", RepoKey: "app"}, {ID: "9", Identifier: "APP-9", RepoKey: "app"}}
	var removed []string
	hosts := func(host string) (orchestrator.Workspaces, error) {
		if host == "h2" {
			return removals{host: host, removed: &removed, err: errors.New("workspace_locked: held")}, nil
		}
		return removals{host: host, removed: &removed}, nil
	}
	n := cleanupHostWorkspaces(ctx, fixedOwners{terminal: terminal}, st, hosts, slog.New(slog.DiscardHandler))
	want := []string{"h1 app/APP-1", "h2 app/APP-2"}
	if n != 1 || len(removed) != 2 || removed[0] != want[0] || removed[1] != want[1] {
		t.Fatalf("removed %d: asked %q, want %q with one success", n, removed, want)
	}
	if n := cleanupHostWorkspaces(ctx, failingOwners{}, st, hosts, slog.New(slog.DiscardHandler)); n != 0 {
		t.Fatalf("removed %d with the tracker unreadable", n)
	}
}

type failingOwners struct{}

func (failingOwners) TerminalIssues(context.Context) ([]issue.Issue, error) {
	return nil, errors.New("tracker down")
}
func (failingOwners) TrackedIssues(context.Context) ([]issue.Issue, error) { return nil, nil }

// countingOwners counts the terminal-issue reads it answers.
type countingOwners struct {
	fixedOwners
	reads *int
}

func (o countingOwners) TerminalIssues(ctx context.Context) ([]issue.Issue, error) {
	*o.reads++
	return o.fixedOwners.TerminalIssues(ctx)
}

// The two start-up clean-ups share one read of the terminal issues.
func TestStartupAsksForTheTerminalIssuesOnce(t *testing.T) {
	reads := 0
	owners := &onceTerminal{Owners: countingOwners{fixedOwners: fixedOwners{terminal: []issue.Issue{{ID: "1"}}}, reads: &reads}}
	for range 2 {
		if is, err := owners.TerminalIssues(context.Background()); err != nil || len(is) != 1 {
			t.Fatalf("terminal issues %v, %v", is, err)
		}
	}
	if reads != 1 {
		t.Fatalf("%d reads of the terminal issues, want 1", reads)
	}
}

// A left session whose sandbox temp record names a directory that is not its own is kept by
// the start-up reap, and the operator is told where and how many.
func TestStartupReapWarnsOfSessionsItKept(t *testing.T) {
	fleet := sshdtest.NewFleet(t)
	host := fleet.AddHost()
	t.Setenv(sshworker.EnvSSHConfig, fleet.ConfigFile)
	sessions := remotews.SessionsRoot(host.Root)
	tampered := filepath.Join(sessions, "claude-session-tampered")
	precious := filepath.Join(t.TempDir(), "precious")
	host.Run("mkdir -p " + sshworker.Quote(tampered) + " " + sshworker.Quote(precious) + " && printf %s " +
		sshworker.Quote(precious) + " > " + sshworker.Quote(filepath.Join(tampered, sshworker.SandboxTempFile)))
	var logs bytes.Buffer
	cfg := &config.Config{Workspaces: config.Workspaces{Root: host.Root}, Workers: config.Workers{SSHHosts: []string{host.Addr()}}}
	if n := reapHostSessions(context.Background(), cfg, slog.New(slog.NewJSONHandler(&logs, nil))); n != 0 {
		t.Fatalf("reaped %d sessions, want none", n)
	}
	for _, d := range []string{tampered, precious} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s did not survive the reap: %v", d, err)
		}
	}
	var warned bool
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["level"] == "WARN" && rec["kept"] == 1.0 && rec["sessions_root"] == sessions && rec["host"] == host.Addr() {
			warned = true
		}
	}
	if !warned {
		t.Fatalf("no warning names the kept session's host, root and count:\n%s", logs.String())
	}
}

// A service killed mid-run leaves its session directory, and its agent, on the worker host.
// The next start kills that agent's process group and removes the directory, and a host that
// cannot be reached is skipped without holding up the others.
func TestStartupReapsSessionsLeftOnWorkerHosts(t *testing.T) {
	testenv.Tool(t, "setsid")
	fleet := sshdtest.NewFleet(t)
	up, down := fleet.AddHost(), fleet.AddHost()
	down.Stop()
	t.Setenv(sshworker.EnvSSHConfig, fleet.ConfigFile)
	left := filepath.Join(remotews.SessionsRoot(up.Root), "codex-session-left")
	group := filepath.Join(left, sshworker.AgentGroupFile)
	up.Run("mkdir -p " + sshworker.Quote(left))
	up.Run("setsid sh -c 'echo $$ > \"$1\"; exec sleep 300' sh " + sshworker.Quote(group) + " </dev/null >/dev/null 2>&1 &")
	var pgid int
	for deadline := time.Now().Add(10 * time.Second); pgid == 0; time.Sleep(20 * time.Millisecond) {
		raw, _ := os.ReadFile(group)
		pgid, _ = strconv.Atoi(strings.TrimSpace(string(raw)))
		if time.Now().After(deadline) {
			t.Fatal("the left agent never recorded its group")
		}
	}
	t.Cleanup(func() { _ = syscall.Kill(-pgid, syscall.SIGKILL) })
	if gone(pgid) {
		t.Fatal("the left agent is not running; the reap would prove nothing")
	}

	cfg := &config.Config{Workspaces: config.Workspaces{Root: up.Root}, Workers: config.Workers{SSHHosts: []string{down.Addr(), up.Addr()}}}
	if n := reapHostSessions(context.Background(), cfg, slog.New(slog.DiscardHandler)); n != 1 {
		t.Fatalf("reaped %d sessions, want the one left on %s", n, up.Addr())
	}
	for deadline := time.Now().Add(5 * time.Second); !gone(pgid); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the left agent %d survived the reap", pgid)
		}
	}
	if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the left session directory survived the reap: %v", err)
	}
}
