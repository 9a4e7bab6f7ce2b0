package github

import (
	gh "github.com/google/go-github/v93/github"
)

func convertPullRequest(p *gh.PullRequest) PullRequest {
	state := p.GetState()
	if p.GetMerged() || p.MergedAt != nil {
		state = PullRequestMerged
	}
	return PullRequest{
		Number:         p.GetNumber(),
		NodeID:         p.GetNodeID(),
		State:          state,
		Title:          p.GetTitle(),
		Body:           p.GetBody(),
		URL:            p.GetHTMLURL(),
		Draft:          p.GetDraft(),
		Author:         p.GetUser().GetLogin(),
		HeadRef:        p.GetHead().GetRef(),
		HeadSHA:        p.GetHead().GetSHA(),
		HeadRepo:       p.GetHead().GetRepo().GetFullName(),
		BaseRef:        p.GetBase().GetRef(),
		BaseSHA:        p.GetBase().GetSHA(),
		BaseRepo:       p.GetBase().GetRepo().GetFullName(),
		Mergeable:      p.Mergeable,
		MergeableState: p.GetMergeableState(),
		CreatedAt:      p.GetCreatedAt().Time,
		UpdatedAt:      p.GetUpdatedAt().Time,
	}
}

func convertComment(c *gh.IssueComment) Comment {
	return Comment{
		ID:        c.GetID(),
		Author:    c.GetUser().GetLogin(),
		Body:      c.GetBody(),
		URL:       c.GetHTMLURL(),
		CreatedAt: c.GetCreatedAt().Time,
		UpdatedAt: c.GetUpdatedAt().Time,
	}
}

func convertReviewComment(c *gh.PullRequestComment) ReviewComment {
	line := c.GetLine()
	if line == 0 {
		line = c.GetOriginalLine()
	}
	return ReviewComment{
		ID:        c.GetID(),
		InReplyTo: c.GetInReplyTo(),
		ReviewID:  c.GetPullRequestReviewID(),
		Author:    c.GetUser().GetLogin(),
		Body:      c.GetBody(),
		URL:       c.GetHTMLURL(),
		Path:      c.GetPath(),
		Line:      line,
		CommitID:  c.GetCommitID(),
		CreatedAt: c.GetCreatedAt().Time,
		UpdatedAt: c.GetUpdatedAt().Time,
	}
}

func convertReview(r *gh.PullRequestReview) Review {
	return Review{
		ID:          r.GetID(),
		Author:      r.GetUser().GetLogin(),
		State:       r.GetState(),
		Body:        r.GetBody(),
		URL:         r.GetHTMLURL(),
		CommitID:    r.GetCommitID(),
		SubmittedAt: r.GetSubmittedAt().Time,
	}
}

func convertCheckRun(r *gh.CheckRun) CheckRun {
	return CheckRun{
		ID:          r.GetID(),
		Name:        r.GetName(),
		Status:      r.GetStatus(),
		Conclusion:  r.GetConclusion(),
		DetailsURL:  r.GetDetailsURL(),
		HeadSHA:     r.GetHeadSHA(),
		AppSlug:     r.GetApp().GetSlug(),
		StartedAt:   r.GetStartedAt().Time,
		CompletedAt: r.GetCompletedAt().Time,
	}
}

func convertWorkflowRun(r *gh.WorkflowRun) WorkflowRun {
	return WorkflowRun{
		ID:         r.GetID(),
		Name:       r.GetName(),
		WorkflowID: r.GetWorkflowID(),
		HeadBranch: r.GetHeadBranch(),
		HeadSHA:    r.GetHeadSHA(),
		Event:      r.GetEvent(),
		Status:     r.GetStatus(),
		Conclusion: r.GetConclusion(),
		RunAttempt: r.GetRunAttempt(),
		URL:        r.GetHTMLURL(),
	}
}

func convertJob(j *gh.WorkflowJob) WorkflowJob {
	job := WorkflowJob{
		ID:         j.GetID(),
		RunID:      j.GetRunID(),
		Name:       j.GetName(),
		Status:     j.GetStatus(),
		Conclusion: j.GetConclusion(),
		URL:        j.GetHTMLURL(),
	}
	for _, s := range j.Steps {
		job.Steps = append(job.Steps, WorkflowStep{Number: s.GetNumber(), Name: s.GetName(), Status: s.GetStatus(), Conclusion: s.GetConclusion()})
	}
	return job
}
