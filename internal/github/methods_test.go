package github

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/github/githubtest"
)

func TestRepositoryAndCurrentUser(t *testing.T) {
	f := newFixture(t, githubtest.Options{Login: "robot"}, nil)
	ctx := testContext(t)
	repo, err := f.client.Repository(ctx, f.repo)
	if err != nil {
		t.Fatal(err)
	}
	if repo.FullName != testFull || repo.DefaultBranch != "main" || repo.Fork {
		t.Errorf("Repository = %+v", repo)
	}
	user, err := f.client.CurrentUser(ctx)
	if err != nil || user.Login != "robot" {
		t.Errorf("CurrentUser = %+v, %v", user, err)
	}
	_, err = f.client.Repository(ctx, Repo{Host: "github.com", Owner: "octo", Name: "missing"})
	if ErrorCode(err) != CodeNotFound {
		t.Errorf("missing repository: %v, want %s", err, CodeNotFound)
	}
}

func TestPullRequests(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	ctx := testContext(t)
	f.srv.SetBranch(testFull, "old", "3333333333333333333333333333333333333333")
	f.srv.AddPullRequest(testFull, githubtest.PullRequest{Title: "old one", Head: "old", State: githubtest.StateMerged})
	f.srv.AddPullRequest(testFull, githubtest.PullRequest{Title: "fork", Head: "feature", HeadRepo: "someone/hello", HeadSHA: "4444444444444444444444444444444444444444"})

	created, err := f.client.CreatePullRequest(ctx, f.repo, NewPullRequest{Title: "Add greeting", Body: "Closes ENG-1", Head: "feature", Base: "main", Draft: true})
	if err != nil {
		t.Fatal(err)
	}
	want := PullRequest{Number: 3, State: PullRequestOpen, Title: "Add greeting", Body: "Closes ENG-1", Draft: true,
		HeadRef: "feature", HeadSHA: "2222222222222222222222222222222222222222", HeadRepo: testFull,
		BaseRef: "main", BaseSHA: "1111111111111111111111111111111111111111", BaseRepo: testFull,
		URL: "https://github.com/octo/hello/pull/3", Author: "symphony-bot"}
	if got := comparable(created); got != comparable(want) {
		t.Errorf("CreatePullRequest =\n%+v\nwant\n%+v", got, comparable(want))
	}

	tests := []struct {
		name   string
		get    func() (PullRequest, error)
		number int
		state  string
		cross  bool
		code   string
	}{
		{name: "by number", get: func() (PullRequest, error) { return f.client.PullRequest(ctx, f.repo, 3) }, number: 3, state: PullRequestOpen},
		{name: "merged by number", get: func() (PullRequest, error) { return f.client.PullRequest(ctx, f.repo, 1) }, number: 1, state: PullRequestMerged},
		{name: "fork by number", get: func() (PullRequest, error) { return f.client.PullRequest(ctx, f.repo, 2) }, number: 2, state: PullRequestOpen, cross: true},
		{name: "missing number", get: func() (PullRequest, error) { return f.client.PullRequest(ctx, f.repo, 99) }, code: CodeNotFound},
		{name: "by branch skips the fork's same-named branch", get: func() (PullRequest, error) { return f.client.PullRequestForBranch(ctx, f.repo, "feature") }, number: 3, state: PullRequestOpen},
		{name: "by branch finds a merged one", get: func() (PullRequest, error) { return f.client.PullRequestForBranch(ctx, f.repo, "old") }, number: 1, state: PullRequestMerged},
		{name: "by branch none", get: func() (PullRequest, error) { return f.client.PullRequestForBranch(ctx, f.repo, "nothing") }, code: CodeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, err := tt.get()
			if tt.code != "" {
				if ErrorCode(err) != tt.code {
					t.Fatalf("got %+v, %v; want code %s", pr, err, tt.code)
				}
				return
			}
			if err != nil || pr.Number != tt.number || pr.State != tt.state || pr.CrossRepository() != tt.cross {
				t.Fatalf("got #%d %s cross=%v, %v; want #%d %s cross=%v", pr.Number, pr.State, pr.CrossRepository(), err, tt.number, tt.state, tt.cross)
			}
		})
	}

	_, err = f.client.CreatePullRequest(ctx, f.repo, NewPullRequest{Title: "again", Head: "feature", Base: "main"})
	if ErrorCode(err) != CodeValidation || !strings.Contains(err.Error(), "A pull request already exists for octo:feature") {
		t.Errorf("duplicate create: %v, want %s with GitHub's message", err, CodeValidation)
	}
	_, err = f.client.CreatePullRequest(ctx, f.repo, NewPullRequest{Title: "no branch", Head: "ghost", Base: "main"})
	if ErrorCode(err) != CodeValidation || !strings.Contains(err.Error(), "head invalid") {
		t.Errorf("unknown head: %v, want %s naming the head", err, CodeValidation)
	}
}

// comparable drops the fields a test cannot predict (ids and times).
func comparable(p PullRequest) PullRequest {
	p.NodeID, p.CreatedAt, p.UpdatedAt, p.Mergeable = "", time.Time{}, time.Time{}, nil
	return p
}

func TestEditPullRequest(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	ctx := testContext(t)
	f.srv.AddPullRequest(testFull, githubtest.PullRequest{Title: "t", Body: "b", Head: "feature", Draft: true})
	title, body := "New title", "New body"
	tests := []struct {
		name  string
		edit  PullRequestEdit
		title string
		body  string
		draft bool
		code  string
	}{
		{name: "body only", edit: PullRequestEdit{Body: &body}, title: "t", body: body, draft: true},
		{name: "title", edit: PullRequestEdit{Title: &title}, title: title, body: body, draft: true},
		{name: "ready for review", edit: PullRequestEdit{ReadyForReview: true}, title: title, body: body, draft: false},
		{name: "ready again is a no-op", edit: PullRequestEdit{ReadyForReview: true}, title: title, body: body, draft: false},
		{name: "nothing", edit: PullRequestEdit{}, code: CodeValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, err := f.client.EditPullRequest(ctx, f.repo, 1, tt.edit)
			if tt.code != "" {
				if ErrorCode(err) != tt.code {
					t.Fatalf("got %v, want code %s", err, tt.code)
				}
				return
			}
			if err != nil || pr.Title != tt.title || pr.Body != tt.body || pr.Draft != tt.draft {
				t.Fatalf("got %q %q draft=%v, %v", pr.Title, pr.Body, pr.Draft, err)
			}
			stored, _ := f.srv.PullRequest(testFull, 1)
			if stored.Title != tt.title || stored.Body != tt.body || stored.Draft != tt.draft {
				t.Fatalf("fake holds %+v", stored)
			}
		})
	}
	if n := f.srv.RequestCount("POST /graphql"); n != 1 {
		t.Errorf("GraphQL requests = %d, want 1 (the second ready call sees the PR is no draft)", n)
	}
}

func TestRequestReviewersAndReviews(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	ctx := testContext(t)
	f.srv.AddPullRequest(testFull, githubtest.PullRequest{Title: "t", Head: "feature"})
	f.srv.AddReview(testFull, githubtest.Review{Number: 1, Author: "alice", State: "CHANGES_REQUESTED", Body: "fix it", CommitID: "abc"})
	f.srv.AddReview(testFull, githubtest.Review{Number: 1, Author: "bob", State: "APPROVED"})

	if err := f.client.RequestReviewers(ctx, f.repo, 1, []string{"alice", "bob"}); err != nil {
		t.Fatal(err)
	}
	stored, _ := f.srv.PullRequest(testFull, 1)
	if !reflect.DeepEqual(stored.RequestedReviewers, []string{"alice", "bob"}) {
		t.Errorf("requested reviewers = %v", stored.RequestedReviewers)
	}
	if err := f.client.RequestReviewers(ctx, f.repo, 1, []string{"symphony-bot"}); ErrorCode(err) != CodeValidation {
		t.Errorf("requesting the author: %v, want %s", err, CodeValidation)
	}
	if err := f.client.RequestReviewers(ctx, f.repo, 1, nil); ErrorCode(err) != CodeValidation {
		t.Errorf("no reviewers: %v, want %s", err, CodeValidation)
	}

	reviews, err := f.client.Reviews(ctx, f.repo, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range reviews {
		got = append(got, r.Author+":"+r.State+":"+r.Body)
	}
	if want := []string{"alice:CHANGES_REQUESTED:fix it", "bob:APPROVED:"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Reviews = %v, want %v", got, want)
	}
}

func TestIssueComments(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	ctx := testContext(t)
	f.srv.AddPullRequest(testFull, githubtest.PullRequest{Title: "t", Head: "feature"})
	base := f.clock.Now()
	f.srv.AddIssueComment(testFull, githubtest.IssueComment{Number: 1, Author: "alice", Body: "first", CreatedAt: base.Add(-2 * time.Hour)})
	f.srv.AddIssueComment(testFull, githubtest.IssueComment{Number: 1, Author: "bob", Body: "second", CreatedAt: base.Add(-time.Hour)})

	created, err := f.client.CreateIssueComment(ctx, f.repo, 1, "from symphony")
	if err != nil || created.Author != "symphony-bot" || created.ID == 0 || !strings.Contains(created.URL, "#issuecomment-") {
		t.Fatalf("CreateIssueComment = %+v, %v", created, err)
	}
	edited, err := f.client.EditIssueComment(ctx, f.repo, created.ID, "edited")
	if err != nil || edited.Body != "edited" || edited.ID != created.ID {
		t.Fatalf("EditIssueComment = %+v, %v", edited, err)
	}
	if _, err := f.client.EditIssueComment(ctx, f.repo, 424242, "x"); ErrorCode(err) != CodeNotFound {
		t.Errorf("editing a missing comment: %v, want %s", err, CodeNotFound)
	}
	if _, err := f.client.CreateIssueComment(ctx, f.repo, 1, ""); ErrorCode(err) != CodeValidation {
		t.Errorf("empty comment: %v, want %s", err, CodeValidation)
	}

	tests := []struct {
		name  string
		since time.Time
		want  []string
	}{
		{name: "all", want: []string{"alice:first", "bob:second", "symphony-bot:edited"}},
		{name: "since", since: base.Add(-90 * time.Minute), want: []string{"bob:second", "symphony-bot:edited"}},
		{name: "since the future", since: base.Add(time.Hour), want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			comments, err := f.client.IssueComments(ctx, f.repo, 1, tt.since)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range comments {
				got = append(got, c.Author+":"+c.Body)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("IssueComments = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReviewCommentsAndReplies(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	ctx := testContext(t)
	f.srv.AddPullRequest(testFull, githubtest.PullRequest{Title: "t", Head: "feature"})
	root := f.srv.AddReviewComment(testFull, githubtest.ReviewComment{Number: 1, Author: "alice", Body: "rename this", Path: "main.go", Line: 12, CommitID: "abc"})

	reply, err := f.client.ReplyToReviewComment(ctx, f.repo, 1, root.ID, "done")
	if err != nil {
		t.Fatal(err)
	}
	if reply.InReplyTo != root.ID || reply.Path != "main.go" || reply.Line != 12 || reply.Author != "symphony-bot" {
		t.Errorf("reply = %+v", reply)
	}
	if _, err := f.client.ReplyToReviewComment(ctx, f.repo, 1, 999999, "x"); ErrorCode(err) != CodeNotFound {
		t.Errorf("reply to a missing comment: %v, want %s", err, CodeNotFound)
	}
	comments, err := f.client.ReviewComments(ctx, f.repo, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(comments) != 2 || comments[0].Body != "rename this" || comments[1].InReplyTo != root.ID || comments[0].Path != "main.go" {
		t.Errorf("ReviewComments = %+v", comments)
	}
}

func TestChecksAndStatuses(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	ctx := testContext(t)
	sha := "2222222222222222222222222222222222222222"
	f.srv.AddCheckRun(testFull, githubtest.CheckRun{HeadSHA: sha, Name: "test", Status: "completed", Conclusion: "failure", DetailsURL: "https://ci/1", AppSlug: "github-actions"})
	f.srv.AddCheckRun(testFull, githubtest.CheckRun{HeadSHA: sha, Name: "lint", Status: "in_progress"})
	f.srv.AddCheckRun(testFull, githubtest.CheckRun{HeadSHA: "other", Name: "elsewhere", Status: "completed"})
	f.srv.AddStatus(testFull, githubtest.Status{SHA: sha, Context: "ci/legacy", State: "pending"})
	f.srv.AddStatus(testFull, githubtest.Status{SHA: sha, Context: "ci/legacy", State: "success", TargetURL: "https://ci/legacy"})
	f.srv.AddStatus(testFull, githubtest.Status{SHA: sha, Context: "deploy", State: "failure"})

	for _, ref := range []string{sha, "feature"} {
		t.Run(ref, func(t *testing.T) {
			runs, err := f.client.CheckRuns(ctx, f.repo, ref)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range runs {
				got = append(got, r.Name+":"+r.Status+":"+r.Conclusion+":"+r.AppSlug)
			}
			if want := []string{"test:completed:failure:github-actions", "lint:in_progress::"}; !reflect.DeepEqual(got, want) {
				t.Errorf("CheckRuns(%s) = %v, want %v", ref, got, want)
			}
			status, err := f.client.CombinedStatus(ctx, f.repo, ref)
			if err != nil {
				t.Fatal(err)
			}
			want := CombinedStatus{State: "failure", SHA: sha, Contexts: []StatusContext{
				{Context: "ci/legacy", State: "success", TargetURL: "https://ci/legacy"}, {Context: "deploy", State: "failure"},
			}}
			if !reflect.DeepEqual(status, want) {
				t.Errorf("CombinedStatus(%s) = %+v, want %+v", ref, status, want)
			}
		})
	}
}

func TestWorkflowRunsJobsLogsAndRerun(t *testing.T) {
	f := newFixture(t, githubtest.Options{}, nil)
	ctx := testContext(t)
	sha := "2222222222222222222222222222222222222222"
	var longLog strings.Builder
	for i := 1; i <= 500; i++ {
		longLog.WriteString("line " + strconv.Itoa(i) + "\n")
	}
	run := f.srv.AddWorkflowRun(testFull, githubtest.WorkflowRun{Name: "CI", HeadSHA: sha, HeadBranch: "feature", Event: "pull_request", Status: "completed", Conclusion: "failure", Jobs: []githubtest.Job{
		{Name: "build", Status: "completed", Conclusion: "success", Log: "fine\n"},
		{Name: "test", Status: "completed", Conclusion: "failure", Log: longLog.String()},
		{Name: "lint", Status: "completed", Conclusion: "timed_out", Log: "a\nb\n"},
	}})
	f.srv.AddWorkflowRun(testFull, githubtest.WorkflowRun{Name: "other", HeadSHA: "9999", Status: "completed"})

	runs, err := f.client.WorkflowRuns(ctx, f.repo, sha)
	if err != nil || len(runs) != 1 || runs[0].ID != run.ID || runs[0].Conclusion != "failure" || runs[0].HeadBranch != "feature" {
		t.Fatalf("WorkflowRuns = %+v, %v", runs, err)
	}
	jobs, err := f.client.WorkflowJobs(ctx, f.repo, run.ID)
	if err != nil || len(jobs) != 3 || jobs[1].Name != "test" || jobs[1].RunID != run.ID || len(jobs[1].Steps) != 1 {
		t.Fatalf("WorkflowJobs = %+v, %v", jobs, err)
	}

	logs, err := f.client.FailedJobLogs(ctx, f.repo, run.ID, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 2 {
		t.Fatalf("FailedJobLogs returned %d logs, want the 2 failed jobs: %+v", len(logs), logs)
	}
	if logs[0].Job.Name != "test" || logs[0].Log != "line 498\nline 499\nline 500" || !logs[0].Truncated {
		t.Errorf("test log = %+v", logs[0])
	}
	if logs[1].Job.Name != "lint" || logs[1].Log != "a\nb" || logs[1].Truncated {
		t.Errorf("lint log = %+v", logs[1])
	}
	for _, r := range f.srv.Requests() {
		if strings.HasPrefix(r.Path, "/_blobs/") && r.Authorization != "" {
			t.Errorf("the token was sent to the log archive host: %s", r.Path)
		}
	}
	if _, err := f.client.FailedJobLogs(ctx, f.repo, run.ID, 0); ErrorCode(err) != CodeValidation {
		t.Errorf("maxLines 0: %v, want %s", err, CodeValidation)
	}

	if err := f.client.RerunFailedJobs(ctx, f.repo, run.ID); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Reruns(testFull, run.ID); n != 1 {
		t.Errorf("reruns = %d, want 1", n)
	}
	if err := f.client.RerunFailedJobs(ctx, f.repo, 1); ErrorCode(err) != CodeNotFound {
		t.Errorf("rerun of a missing run: %v, want %s", err, CodeNotFound)
	}
}
