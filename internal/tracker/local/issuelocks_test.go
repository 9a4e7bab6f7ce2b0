package local

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// A write to one issue does not wait for a write to another, but does wait for a write to
// the same issue; a lock nobody holds or waits for is forgotten.
func TestIssueLocksSerializeOneIssueOnly(t *testing.T) {
	var l issueLocks
	unlockA := l.lock("LOC-1")
	other := make(chan struct{})
	go func() {
		defer l.lock("LOC-2")()
		close(other)
	}()
	select {
	case <-other:
	case <-time.After(10 * time.Second):
		t.Fatal("a write to LOC-2 waited for one to LOC-1")
	}
	same := make(chan struct{})
	go func() {
		defer l.lock("LOC-1")()
		close(same)
	}()
	select {
	case <-same:
		t.Fatal("a second write to LOC-1 went ahead while the first held its lock")
	case <-time.After(50 * time.Millisecond):
	}
	unlockA()
	select {
	case <-same:
	case <-time.After(10 * time.Second):
		t.Fatal("the second write to LOC-1 never got the lock")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.locks) != 0 {
		t.Fatalf("%d locks kept after every write ended", len(l.locks))
	}
}

// Writers to many issues at once, several to each, lose nothing: every state change lands and
// every comment is kept.
func TestConcurrentWritesToManyIssuesAllLand(t *testing.T) {
	dir := t.TempDir()
	const issues, perIssue = 12, 4
	for i := range issues {
		write(t, dir, fmt.Sprintf("LOC-%d.md", i), issueText(fmt.Sprint("T", i), "Todo"))
	}
	tr := newTracker(t, dir, settings(), nil)
	var wg sync.WaitGroup
	errs := make(chan error, issues*perIssue*2)
	for i := range issues {
		for n := range perIssue {
			id := fmt.Sprintf("LOC-%d", i)
			wg.Go(func() {
				if _, err := tr.CreateComment(ctx(), id, fmt.Sprintf("note %d of %s", n, id)); err != nil {
					errs <- err
				}
				if err := tr.UpdateIssueState(ctx(), id, "In Progress"); err != nil {
					errs <- err
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i := range issues {
		id := fmt.Sprintf("LOC-%d", i)
		states, err := tr.FetchIssueStatesByIDs(ctx(), []string{id})
		if err != nil || len(states) != 1 || states[0].State != "In Progress" {
			t.Errorf("%s: state %+v, %v; want In Progress", id, states, err)
		}
		comments, err := tr.ListComments(ctx(), id)
		if err != nil || len(comments) != perIssue {
			t.Fatalf("%s: %d comments, %v; want %d", id, len(comments), err, perIssue)
		}
		for n := range perIssue {
			want := fmt.Sprintf("note %d of %s", n, id)
			found := false
			for _, c := range comments {
				found = found || strings.TrimSpace(c.Body) == want
			}
			if !found {
				t.Errorf("%s: comment %q lost", id, want)
			}
		}
	}
}
