package githubtest

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Repository is a stored repository.
type Repository struct {
	Owner, Name string
	// DefaultBranch defaults to "main", which AddRepository creates when Branches lacks it.
	DefaultBranch string
	Fork, Private bool
	// Branches maps each branch to its head SHA.
	Branches map[string]string
}

// FullName is "owner/name".
func (r Repository) FullName() string { return r.Owner + "/" + r.Name }

// PR states.
const (
	StateOpen   = "open"
	StateClosed = "closed"
	StateMerged = "merged"
)

// PullRequest is a stored pull request. Zero Number, NodeID, State and Author are filled in.
type PullRequest struct {
	Number      int
	NodeID      string
	Title, Body string
	Head, Base  string
	// HeadRepo is the head's "owner/name"; empty means the repository itself, another value a
	// fork.
	HeadRepo string
	// HeadSHA is fixed for a fork; for a same-repository PR it follows the head branch.
	HeadSHA            string
	Draft              bool
	State              string
	Mergeable          *bool
	MergeableState     string
	Author             string
	RequestedReviewers []string
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// IssueComment is a conversation comment.
type IssueComment struct {
	ID                   int64
	Number               int
	Author, Body         string
	CreatedAt, UpdatedAt time.Time
}

// ReviewComment is an inline review comment.
type ReviewComment struct {
	ID, InReplyTo, ReviewID int64
	Number                  int
	Author, Body, Path      string
	Line                    int
	CommitID                string
	CreatedAt, UpdatedAt    time.Time
}

// Review is a pull request review.
type Review struct {
	ID     int64
	Number int
	// State is APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED or PENDING.
	Author, State, Body, CommitID string
	SubmittedAt                   time.Time
}

// CheckRun is a check run on a commit.
type CheckRun struct {
	ID                                int64
	HeadSHA, Name, Status, Conclusion string
	DetailsURL, AppSlug               string
	// CheckSuiteID ties an Actions check run to its WorkflowRun.
	CheckSuiteID           int64
	StartedAt, CompletedAt time.Time
}

// Status is a commit status.
type Status struct {
	SHA, Context, State, Description, TargetURL string
}

// WorkflowRun is an Actions run with its jobs.
type WorkflowRun struct {
	ID                               int64
	Name, HeadSHA, HeadBranch, Event string
	Status, Conclusion               string
	WorkflowID                       int64
	RunAttempt                       int
	// CheckSuiteID is given one when zero; check runs of the run carry the same.
	CheckSuiteID int64
	Jobs         []Job
}

// Job is one job of a run; Log is what its log download returns.
type Job struct {
	ID                       int64
	Name, Status, Conclusion string
	Log                      string
}

type repoState struct {
	Repository
	pulls          []*PullRequest
	issues         []*Issue
	issueComments  []*IssueComment
	reviewComments []*ReviewComment
	reviews        []*Review
	checkRuns      []*CheckRun
	statuses       []*Status
	runs           []*WorkflowRun
	reruns         map[int64]int
}

func repoKey(owner, name string) string { return strings.ToLower(owner + "/" + name) }

// AddRepository stores a repository.
func (s *Server) AddRepository(r Repository) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.DefaultBranch == "" {
		r.DefaultBranch = "main"
	}
	branches := map[string]string{}
	for b, sha := range r.Branches {
		branches[b] = sha
	}
	if _, ok := branches[r.DefaultBranch]; !ok {
		branches[r.DefaultBranch] = fakeSHA(r.FullName() + "@" + r.DefaultBranch)
	}
	r.Branches = branches
	s.repos[repoKey(r.Owner, r.Name)] = &repoState{Repository: r, reruns: map[int64]int{}}
}

// SetBranch points branch at sha (creating it), as a push would; a tool's push can call it.
func (s *Server) SetBranch(fullName, branch, sha string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustRepo(fullName).Branches[branch] = sha
}

// Branch returns branch's head SHA.
func (s *Server) Branch(fullName, branch string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sha, ok := s.mustRepo(fullName).Branches[branch]
	return sha, ok
}

// AddPullRequest stores a pull request, numbering it when Number is zero, and returns it.
func (s *Server) AddPullRequest(fullName string, pr PullRequest) PullRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.addPull(s.mustRepo(fullName), pr)
}

func (s *Server) addPull(repo *repoState, pr PullRequest) *PullRequest {
	if pr.Number == 0 {
		pr.Number = repo.nextNumber()
	}
	if pr.NodeID == "" {
		pr.NodeID = fmt.Sprintf("PR_%s_%d", strings.ReplaceAll(repo.FullName(), "/", "_"), pr.Number)
	}
	if pr.State == "" {
		pr.State = StateOpen
	}
	if pr.Author == "" {
		pr.Author = s.opts.Login
	}
	if pr.Base == "" {
		pr.Base = repo.DefaultBranch
	}
	s.stamp(&pr.CreatedAt, &pr.UpdatedAt)
	stored := pr
	repo.pulls = append(repo.pulls, &stored)
	return &stored
}

// PullRequest returns a stored pull request as it is now.
func (s *Server) PullRequest(fullName string, number int) (PullRequest, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.mustRepo(fullName).pull(number); p != nil {
		return *p, true
	}
	return PullRequest{}, false
}

// UpdatePullRequest changes a stored pull request in place (merge it, close it, mark it
// conflicting, ...) and returns it as it is afterwards.
func (s *Server) UpdatePullRequest(fullName string, number int, change func(*PullRequest)) PullRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.mustRepo(fullName).pull(number)
	if p == nil {
		s.t.Fatalf("githubtest: no pull request %s#%d", fullName, number)
		return PullRequest{}
	}
	change(p)
	return *p
}

// PullRequests returns every stored pull request of a repository.
func (s *Server) PullRequests(fullName string) []PullRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copies(s.mustRepo(fullName).pulls, func(*PullRequest) bool { return true })
}

// AddIssueComment stores a conversation comment and returns it with its id.
func (s *Server) AddIssueComment(fullName string, c IssueComment) IssueComment {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := s.mustRepo(fullName)
	c.ID = s.newID()
	s.stamp(&c.CreatedAt, &c.UpdatedAt)
	repo.issueComments = append(repo.issueComments, &c)
	return c
}

// IssueComments returns the conversation comments of a pull request.
func (s *Server) IssueComments(fullName string, number int) []IssueComment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copies(s.mustRepo(fullName).issueComments, func(c *IssueComment) bool { return c.Number == number })
}

// AddReviewComment stores an inline review comment and returns it with its id.
func (s *Server) AddReviewComment(fullName string, c ReviewComment) ReviewComment {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := s.mustRepo(fullName)
	c.ID = s.newID()
	s.stamp(&c.CreatedAt, &c.UpdatedAt)
	repo.reviewComments = append(repo.reviewComments, &c)
	return c
}

// ReviewComments returns the inline review comments of a pull request.
func (s *Server) ReviewComments(fullName string, number int) []ReviewComment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copies(s.mustRepo(fullName).reviewComments, func(c *ReviewComment) bool { return c.Number == number })
}

// AddReview stores a review and returns it with its id.
func (s *Server) AddReview(fullName string, r Review) Review {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := s.mustRepo(fullName)
	r.ID = s.newID()
	if r.SubmittedAt.IsZero() {
		r.SubmittedAt = s.now()
	}
	repo.reviews = append(repo.reviews, &r)
	return r
}

// AddCheckRun stores a check run and returns it with its id.
func (s *Server) AddCheckRun(fullName string, c CheckRun) CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := s.mustRepo(fullName)
	c.ID = s.newID()
	repo.checkRuns = append(repo.checkRuns, &c)
	return c
}

// AddStatus stores a commit status.
func (s *Server) AddStatus(fullName string, st Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := s.mustRepo(fullName)
	repo.statuses = append(repo.statuses, &st)
}

// AddWorkflowRun stores a run and its jobs, giving ids to those without, and returns it.
func (s *Server) AddWorkflowRun(fullName string, run WorkflowRun) WorkflowRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := s.mustRepo(fullName)
	if run.ID == 0 {
		run.ID = s.newID()
	}
	if run.CheckSuiteID == 0 {
		run.CheckSuiteID = s.newID()
	}
	if run.RunAttempt == 0 {
		run.RunAttempt = 1
	}
	jobs := slices.Clone(run.Jobs)
	for i := range jobs {
		if jobs[i].ID == 0 {
			jobs[i].ID = s.newID()
		}
	}
	run.Jobs = jobs
	stored := run
	repo.runs = append(repo.runs, &stored)
	return run
}

// Reruns counts the rerun-failed-jobs calls a run received.
func (s *Server) Reruns(fullName string, runID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mustRepo(fullName).reruns[runID]
}

// mustRepo is for test-facing methods: naming a repository never added is a test bug.
func (s *Server) mustRepo(fullName string) *repoState {
	owner, name, _ := strings.Cut(fullName, "/")
	repo := s.repos[repoKey(owner, name)]
	if repo == nil {
		s.t.Fatalf("githubtest: no repository %q (AddRepository first)", fullName)
	}
	return repo
}

func (s *Server) newID() int64 {
	s.nextID++
	return s.nextID
}

func (r *repoState) pull(number int) *PullRequest {
	return first(r.pulls, func(p *PullRequest) bool { return p.Number == number })
}

// headSHA is a pull request's head commit now.
func (r *repoState) headSHA(p *PullRequest) string {
	if p.HeadSHA != "" && p.HeadRepo != "" && !strings.EqualFold(p.HeadRepo, r.FullName()) {
		return p.HeadSHA
	}
	if sha, ok := r.Branches[p.Head]; ok {
		return sha
	}
	return p.HeadSHA
}

// resolve turns a ref (branch or SHA) into a SHA.
func (r *repoState) resolve(ref string) string {
	if sha, ok := r.Branches[ref]; ok {
		return sha
	}
	return ref
}

// fakeSHA makes a stable 40-hex SHA from a seed, for branches tests do not set.
func fakeSHA(seed string) string {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(seed); i++ {
		h ^= uint64(seed[i])
		h *= 1099511628211
	}
	return fmt.Sprintf("%016x%016x%08x", h, h*31, uint32(h>>7))
}
