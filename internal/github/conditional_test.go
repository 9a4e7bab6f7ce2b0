package github

import (
	"context"
	"testing"

	"github.com/symphony-go/symphony/internal/github/githubtest"
)

func TestConditionalReadsReplayUnchangedAnswersFrom304s(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, func(o *Options) { o.ConditionalReads = true })
	ctx := context.Background()
	f.srv.AddPullRequest(testFull, githubtest.PullRequest{Title: "One", Head: "feature", Base: "main"})
	for i := range 3 {
		pr, err := f.client.PullRequest(ctx, f.repo, 1)
		if err != nil || pr.Title != "One" {
			t.Fatalf("read %d: %+v, %v", i, pr, err)
		}
	}
	if got := f.srv.NotModified(); got != 2 {
		t.Fatalf("304 answers = %d, want 2 (every read after the first)", got)
	}
	f.srv.UpdatePullRequest(testFull, 1, func(p *githubtest.PullRequest) { p.Title = "Two" })
	pr, err := f.client.PullRequest(ctx, f.repo, 1)
	if err != nil || pr.Title != "Two" || f.srv.NotModified() != 2 {
		t.Fatalf("after a change: %+v, %v, 304s %d", pr, err, f.srv.NotModified())
	}
	if _, err := f.client.PullRequest(ctx, f.repo, 99); ErrorCode(err) != CodeNotFound {
		t.Fatalf("missing PR = %v, want not found", err)
	}
}

func TestWithoutConditionalReadsNoValidatorIsSent(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	f.srv.AddPullRequest(testFull, githubtest.PullRequest{Title: "One", Head: "feature", Base: "main"})
	for range 2 {
		if _, err := f.client.PullRequest(context.Background(), f.repo, 1); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.srv.NotModified(); got != 0 {
		t.Fatalf("304 answers = %d without ConditionalReads", got)
	}
}
