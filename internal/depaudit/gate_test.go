package depaudit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
)

// stateRoot opens a real run store and audit log in a temporary state root.
type stateRoot struct {
	dir   string
	store *store.Store
	log   *audit.Log
}

func openStateRoot(t *testing.T) *stateRoot {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, store.Options{StateRoot: dir, Redactor: secretscan.New()})
	if err != nil {
		t.Fatal(err)
	}
	log, err := audit.Open(ctx, audit.Options{Dir: audit.Dir(dir), Redactor: secretscan.New(), Head: st})
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		log.Close()
		st.Close()
	})
	return &stateRoot{dir: dir, store: st, log: log}
}

// events returns the audit event types recorded for an issue.
func (s *stateRoot) events(t *testing.T, issue string) []string {
	t.Helper()
	recs, err := audit.Query(audit.QueryOptions{Dir: audit.Dir(s.dir), Issue: issue})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.EventType)
	}
	return out
}

func typosquatRepo(t *testing.T) *testRepo {
	repo := newTestRepo(t)
	repo.commit("base", map[string]string{"package.json": "{\"dependencies\": {\n  \"left-pad\": \"^1.0.0\"\n}}\n"})
	repo.branch("agent")
	repo.commit("add lodahs", map[string]string{"package.json": "{\"dependencies\": {\n  \"left-pad\": \"^1.0.0\",\n  \"lodahs\": \"https://npm.evil.example/lodahs/-/lodahs-1.0.0.tgz\"\n}}\n"})
	return repo
}

func TestGateHoldsUntilApprovedThenPasses(t *testing.T) {
	ctx := context.Background()
	s := openStateRoot(t)
	repo := typosquatRepo(t)
	gate := NewGate(s.store, s.log, policy)

	r, err := gate.Review(ctx, "issue-1", "SYM-1", repo.dir, "main", "agent")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusHeld {
		t.Fatalf("status %q, want held", r.Status)
	}
	text := r.Text("SYM-1")
	for _, want := range []string{"npm package lodahs from registry npm.evil.example (package.json:3)", "symphony approve-deps SYM-1"} {
		if !strings.Contains(text, want) {
			t.Errorf("report text lacks %q:\n%s", want, text)
		}
	}
	// The agent retries the same push: still held, and the audit log does not repeat itself.
	if r2, err := gate.Review(ctx, "issue-1", "SYM-1", repo.dir, "main", "agent"); err != nil || r2.Status != StatusHeld {
		t.Fatalf("second review: %q, %v", r2.Status, err)
	}
	if got, want := s.events(t, "SYM-1"), []string{EventPendingApproval}; !slices.Equal(got, want) {
		t.Fatalf("audit events %q, want %q", got, want)
	}

	pending, ok, err := PendingApproval(ctx, s.store, "SYM-1")
	if err != nil || !ok || pending.Digest != r.Digest || pending.IssueID != "issue-1" {
		t.Fatalf("pending by identifier: %+v %v %v", pending, ok, err)
	}
	a, err := Approve(ctx, s.store, "SYM-1", "operator", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if a.Digest != r.Digest || len(a.Held.Held) != 1 || a.Held.Held[0].Package != "lodahs" {
		t.Fatalf("approval %+v does not cover the held list", a)
	}
	if _, err := AuditApproval(ctx, s.store, s.log, a); err != nil {
		t.Fatal(err)
	}
	if _, err := Approve(ctx, s.store, "SYM-1", "operator", time.Now()); !errors.Is(err, ErrNothingHeld) {
		t.Fatalf("second approval: %v, want ErrNothingHeld", err)
	}

	r, err = gate.Review(ctx, "issue-1", "SYM-1", repo.dir, "main", "agent")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusApproved {
		t.Fatalf("after approval: status %q, want approved", r.Status)
	}
	if got, want := s.events(t, "SYM-1"), []string{EventPendingApproval, EventApproved}; !slices.Equal(got, want) {
		t.Fatalf("audit events %q, want %q", got, want)
	}

	// The approval is for this issue and this list only.
	if r, err := gate.Review(ctx, "issue-2", "SYM-2", repo.dir, "main", "agent"); err != nil || r.Status != StatusHeld {
		t.Fatalf("another issue: %q, %v; want held", r.Status, err)
	}
	repo.commit("add another", map[string]string{"package.json": "{\"dependencies\": {\n  \"left-pad\": \"^1.0.0\",\n  \"lodahs\": \"https://npm.evil.example/lodahs/-/lodahs-1.0.0.tgz\",\n  \"reqeust\": \"github:stranger/reqeust\"\n}}\n"})
	if r, err := gate.Review(ctx, "issue-1", "SYM-1", repo.dir, "main", "agent"); err != nil || r.Status != StatusHeld || len(r.Held) != 2 {
		t.Fatalf("a longer list: %q %v, %v; want held with two", r.Status, heldStrings(r), err)
	}
}

func TestApprovalWrittenWhileTheServiceHeldTheLogIsAuditedOnUse(t *testing.T) {
	ctx := context.Background()
	s := openStateRoot(t)
	repo := typosquatRepo(t)
	gate := NewGate(s.store, s.log, policy)
	if _, err := gate.Review(ctx, "issue-1", "SYM-1", repo.dir, "main", "agent"); err != nil {
		t.Fatal(err)
	}
	// approve-deps could not open the log: the approval is stored unaudited.
	if _, err := Approve(ctx, s.store, "issue-1", "operator", time.Now()); err != nil {
		t.Fatal(err)
	}
	r, err := gate.Review(ctx, "issue-1", "SYM-1", repo.dir, "main", "agent")
	if err != nil || r.Status != StatusApproved {
		t.Fatalf("review: %q, %v", r.Status, err)
	}
	if _, err := gate.Review(ctx, "issue-1", "SYM-1", repo.dir, "main", "agent"); err != nil {
		t.Fatal(err)
	}
	recs, err := audit.Query(audit.QueryOptions{Dir: audit.Dir(s.dir), Issue: "issue-1"})
	if err != nil {
		t.Fatal(err)
	}
	var approved []audit.Record
	for _, rec := range recs {
		if rec.EventType == EventApproved {
			approved = append(approved, rec)
		}
	}
	if len(approved) != 1 {
		t.Fatalf("%d dependency_approved records, want exactly one", len(approved))
	}
	if approved[0].Details["approved_by"] != "operator" || approved[0].Details["digest"] != r.Digest {
		t.Errorf("approval record details %v", approved[0].Details)
	}
}

func TestGatePassesVersionBumpsWithoutRecording(t *testing.T) {
	ctx := context.Background()
	s := openStateRoot(t)
	repo := newTestRepo(t)
	repo.commit("base", map[string]string{"Cargo.lock": formatCases[8].base})
	repo.branch("agent")
	repo.commit("bump", map[string]string{"Cargo.lock": formatCases[8].bump})
	r, err := NewGate(s.store, s.log, policy).Review(ctx, "issue-1", "SYM-1", repo.dir, "main", "agent")
	if err != nil || r.Status != StatusPassed {
		t.Fatalf("review: %q, %v; want passed", r.Status, err)
	}
	if got := s.events(t, "issue-1"); len(got) != 0 {
		t.Errorf("audit events %q for a passed review, want none", got)
	}
	if _, ok, _ := PendingApproval(ctx, s.store, "issue-1"); ok {
		t.Error("a passed review left a pending approval")
	}
}

func TestGateFollowsConfigReloads(t *testing.T) {
	ctx := context.Background()
	s := openStateRoot(t)
	repo := typosquatRepo(t)
	gate := NewGate(s.store, s.log, policy)
	if r, _ := gate.Review(ctx, "issue-1", "SYM-1", repo.dir, "main", "agent"); r.Status != StatusHeld {
		t.Fatalf("status %q, want held", r.Status)
	}
	gate.ApplyConfig(&config.Config{DependencyAudit: config.DependencyAudit{
		AllowRegistries: append(slices.Clone(policy.Registries), "npm.evil.example"),
	}})
	if r, err := gate.Review(ctx, "issue-1", "SYM-1", repo.dir, "main", "agent"); err != nil || r.Status != StatusPassed {
		t.Fatalf("after allowing the registry: %q, %v; want passed", r.Status, err)
	}
}

// TestGateHoldsEachFormatUntilApproved runs the whole gate per format: a branch adding a
// package from a source outside the policy is held with the list and a
// dependency_pending_approval record; after the operator's approval the same review passes.
func TestGateHoldsEachFormatUntilApproved(t *testing.T) {
	s := openStateRoot(t)
	gate := NewGate(s.store, s.log, policy)
	for i, tc := range formatCases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			issueID, identifier := fmt.Sprintf("issue-%d", i), fmt.Sprintf("SYM-%d", i)
			repo := newTestRepo(t)
			repo.commit("base", map[string]string{tc.file: tc.base, "README": "x"})
			repo.branch("agent")
			repo.commit("add a dependency", map[string]string{tc.file: tc.add})

			r, err := gate.Review(ctx, issueID, identifier, repo.dir, "main", "agent")
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != StatusHeld {
				t.Fatalf("status %q, want held; report %+v", r.Status, r)
			}
			if got := heldStrings(r); !slices.Equal(got, tc.wantHeld) {
				t.Errorf("held %q, want %q", got, tc.wantHeld)
			}
			if !slices.Equal(r.Files, []string{tc.file}) || len(r.Problems) != 0 {
				t.Errorf("files %q problems %v, want [%s] and none", r.Files, r.Problems, tc.file)
			}
			for _, d := range r.Held {
				if d.File != tc.file || d.Line == 0 {
					t.Errorf("%s: declared at %s:%d, want a line of %s", d.Package, d.File, d.Line, tc.file)
				}
			}
			if got := s.events(t, identifier); !slices.Equal(got, []string{EventPendingApproval}) {
				t.Fatalf("audit events %q, want one %s", got, EventPendingApproval)
			}

			a, err := Approve(ctx, s.store, identifier, "operator", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := AuditApproval(ctx, s.store, s.log, a); err != nil {
				t.Fatal(err)
			}
			r, err = gate.Review(ctx, issueID, identifier, repo.dir, "main", "agent")
			if err != nil || r.Status != StatusApproved {
				t.Fatalf("after approval: %q, %v; want approved", r.Status, err)
			}
		})
	}
}

func TestIssueGateAnswersTheToolHost(t *testing.T) {
	ctx := context.Background()
	s := openStateRoot(t)
	repo := typosquatRepo(t)
	ig := NewGate(s.store, s.log, policy).ForIssue("issue-1", "SYM-1")
	held, err := ig.Held(ctx, repo.dir, "main", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"npm package lodahs from registry npm.evil.example (package.json:3)"}; !slices.Equal(held, want) {
		t.Fatalf("held %q, want %q", held, want)
	}
	if _, err := Approve(ctx, s.store, "SYM-1", "operator", time.Now()); err != nil {
		t.Fatal(err)
	}
	if held, err := ig.Held(ctx, repo.dir, "main", "HEAD"); err != nil || len(held) != 0 {
		t.Fatalf("after approval: held %q, %v; want none", held, err)
	}
	if _, err := ig.Held(ctx, repo.dir, "main", "no-such-ref"); err == nil {
		t.Fatal("an unknown head passed the gate")
	}
}

type recordedComments struct{ bodies []string }

func (c *recordedComments) CreateComment(_ context.Context, issueID, body string) (issue.Comment, error) {
	c.bodies = append(c.bodies, issueID+": "+body)
	return issue.Comment{ID: fmt.Sprint(len(c.bodies)), Body: body}, nil
}

func TestGateCommentsEachNewlyHeldListOnce(t *testing.T) {
	ctx := context.Background()
	s := openStateRoot(t)
	repo := typosquatRepo(t)
	gate := NewGate(s.store, s.log, policy)
	comments := &recordedComments{}
	gate.CommentOn(comments)
	for range 2 {
		if r, err := gate.Review(ctx, "issue-1", "SYM-1", repo.dir, "main", "agent"); err != nil || r.Status != StatusHeld {
			t.Fatalf("review: %q, %v; want held", r.Status, err)
		}
	}
	if len(comments.bodies) != 1 {
		t.Fatalf("%d comments for one held list retried, want 1: %q", len(comments.bodies), comments.bodies)
	}
	if b := comments.bodies[0]; !strings.HasPrefix(b, "issue-1: ") || !strings.Contains(b, "npm.evil.example") || !strings.Contains(b, "symphony approve-deps SYM-1") {
		t.Errorf("the comment does not list the held source and how to approve it:\n%s", b)
	}
}
