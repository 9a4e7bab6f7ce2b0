package cli

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/depaudit"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/testenv"
)

// typosquatBranch makes a repository whose "agent" branch adds an npm package from a
// registry outside the policy.
func typosquatBranch(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		testenv.Git(t, dir, "add", "package.json")
	}
	testenv.Git(t, dir, "init", "-q", "-b", "main")
	write("{\"dependencies\": {\n  \"left-pad\": \"^1.0.0\"\n}}\n")
	testenv.Git(t, dir, "commit", "-q", "-m", "base")
	testenv.Git(t, dir, "checkout", "-q", "-b", "agent")
	write("{\"dependencies\": {\n  \"left-pad\": \"^1.0.0\",\n  \"lodahs\": \"https://npm.evil.example/lodahs/-/lodahs-1.0.0.tgz\"\n}}\n")
	testenv.Git(t, dir, "commit", "-q", "-m", "add lodahs")
	return dir
}

var depPolicy = depaudit.Allow{Registries: []string{"registry.npmjs.org"}}

// serviceState is the run store and audit log as the service holds them.
type serviceState struct {
	store *store.Store
	log   *audit.Log
}

func openServiceState(t *testing.T, root string) *serviceState {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{StateRoot: root, Redactor: secretscan.New()})
	if err != nil {
		t.Fatal(err)
	}
	log, err := audit.Open(ctx, audit.Options{Dir: audit.Dir(root), Redactor: secretscan.New(), Head: st})
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	s := &serviceState{store: st, log: log}
	t.Cleanup(s.close)
	return s
}

func (s *serviceState) close() {
	if s.log != nil {
		s.log.Close()
		s.log = nil
	}
	if s.store != nil {
		s.store.Close()
		s.store = nil
	}
}

func (s *serviceState) review(t *testing.T, repo string) depaudit.Report {
	t.Helper()
	r, err := depaudit.NewGate(s.store, s.log, depPolicy).Review(context.Background(), "issue-7", "SYM-7", repo, "main", "agent")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func auditEventTypes(t *testing.T, root, issue string) []string {
	t.Helper()
	recs, err := audit.Query(audit.QueryOptions{Dir: audit.Dir(root), Issue: issue})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.EventType)
	}
	return out
}

func TestApproveDepsApprovesTheHeldList(t *testing.T) {
	root, repo := t.TempDir(), typosquatBranch(t)
	svc := openServiceState(t, root)
	if r := svc.review(t, repo); r.Status != depaudit.StatusHeld {
		t.Fatalf("status %q, want held", r.Status)
	}
	svc.close()

	code, out, errOut := runCLI(t, "approve-deps", "--state-root", root, "SYM-7")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"approved for SYM-7", "npm package lodahs from registry npm.evil.example (package.json:3)", "recorded in the audit log as dependency_approved"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if got, want := auditEventTypes(t, root, "SYM-7"), []string{"dependency_pending_approval", "dependency_approved"}; !slices.Equal(got, want) {
		t.Errorf("audit events %q, want %q", got, want)
	}
	if code, _, errOut := runCLI(t, "audit", "verify", "--state-root", root); code != ExitOK {
		t.Errorf("audit verify after approve-deps: exit %d %s", code, errOut)
	}

	svc = openServiceState(t, root)
	if r := svc.review(t, repo); r.Status != depaudit.StatusApproved {
		t.Fatalf("after approve-deps: status %q, want approved", r.Status)
	}
	if got := auditEventTypes(t, root, "SYM-7"); len(got) != 2 {
		t.Errorf("the approved review wrote more audit records: %q", got)
	}
}

func TestApproveDepsWhileTheServiceHoldsTheAuditLog(t *testing.T) {
	root, repo := t.TempDir(), typosquatBranch(t)
	svc := openServiceState(t, root)
	svc.review(t, repo)

	code, out, errOut := runCLI(t, "approve-deps", "--state-root", root, "issue-7")
	if code != ExitOK || !strings.Contains(out, "the running service holds the audit log") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if got := auditEventTypes(t, root, "SYM-7"); slices.Contains(got, "dependency_approved") {
		t.Fatalf("approval recorded by the CLI while the service held the log: %q", got)
	}
	if r := svc.review(t, repo); r.Status != depaudit.StatusApproved {
		t.Fatalf("status %q, want approved", r.Status)
	}
	if got, want := auditEventTypes(t, root, "SYM-7"), []string{"dependency_pending_approval", "dependency_approved"}; !slices.Equal(got, want) {
		t.Errorf("audit events %q, want %q", got, want)
	}
}

func TestApproveDepsRefusals(t *testing.T) {
	fresh := t.TempDir()
	known := t.TempDir()
	svc := openServiceState(t, known)
	if _, err := svc.store.StartRun(context.Background(), store.Run{RepoKey: "web", IssueID: "issue-8", IssueIdentifier: "SYM-8", StartedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	svc.close()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"fresh state root", []string{"approve-deps", "--state-root", fresh, "SYM-1"}, ExitFailure, "unknown issue SYM-1"},
		{"unknown issue", []string{"approve-deps", "--state-root", known, "SYM-1"}, ExitFailure, "unknown issue SYM-1"},
		{"nothing held", []string{"approve-deps", "--state-root", known, "SYM-8"}, ExitFailure, "SYM-8: nothing to approve, no dependency change is held"},
		{"no issue", []string{"approve-deps", "--state-root", known}, ExitUsage, "accepts 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, stderr %q; want %d with %q", code, errOut, tt.code, tt.want)
			}
		})
	}
	if _, err := os.Stat(store.Path(fresh)); !os.IsNotExist(err) {
		t.Errorf("approve-deps on a fresh state root created the run store (%v)", err)
	}
	if got := auditEventTypes(t, known, ""); slices.Contains(got, "dependency_approved") {
		t.Errorf("a refused approval was audited: %q", got)
	}
}
