package github

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v93/github"
)

// Bounds on a log download: a job log can be hundreds of megabytes, and only its tail is kept.
const (
	maxLogDownloadBytes = 32 << 20
	maxLogLineBytes     = 4 << 10
)

// failedConclusions are the job conclusions that count as a failure worth a log.
var failedConclusions = map[string]bool{
	"failure": true, "timed_out": true, "cancelled": true, "startup_failure": true, "action_required": true,
}

// WorkflowRuns lists the Actions runs for a head commit across every page.
func (c *Client) WorkflowRuns(ctx context.Context, repo Repo, headSHA string) ([]WorkflowRun, error) {
	runs, err := paginate(ctx, fmt.Sprintf("list workflow runs of %s@%s", repo.FullName(), headSHA),
		func(ctx context.Context, page gh.ListOptions) ([]*gh.WorkflowRun, *gh.Response, error) {
			res, resp, err := c.rest.Actions.ListRepositoryWorkflowRuns(ctx, repo.Owner, repo.Name, &gh.ListWorkflowRunsOptions{HeadSHA: headSHA, ListOptions: page})
			if err != nil {
				return nil, resp, err
			}
			return res.WorkflowRuns, resp, nil
		})
	return convertAll(runs, convertWorkflowRun), err
}

// WorkflowJobs lists the jobs of a run's latest attempt across every page.
func (c *Client) WorkflowJobs(ctx context.Context, repo Repo, runID int64) ([]WorkflowJob, error) {
	jobs, err := paginate(ctx, fmt.Sprintf("list jobs of run %d in %s", runID, repo.FullName()),
		func(ctx context.Context, page gh.ListOptions) ([]*gh.WorkflowJob, *gh.Response, error) {
			res, resp, err := c.rest.Actions.ListWorkflowJobs(ctx, repo.Owner, repo.Name, runID, &gh.ListWorkflowJobsOptions{Filter: "latest", ListOptions: page})
			if err != nil {
				return nil, resp, err
			}
			return res.Jobs, resp, nil
		})
	return convertAll(jobs, convertJob), err
}

// RerunFailedJobs re-runs the failed jobs of a run (and the jobs depending on them).
func (c *Client) RerunFailedJobs(ctx context.Context, repo Repo, runID int64) error {
	_, err := c.rest.Actions.RerunFailedJobsByID(bypassRateCheck(ctx), repo.Owner, repo.Name, runID)
	return classify(fmt.Sprintf("rerun failed jobs of run %d in %s", runID, repo.FullName()), err)
}

// FailedJobLogs returns, for each failed job of a run, the last maxLines lines of its log.
func (c *Client) FailedJobLogs(ctx context.Context, repo Repo, runID int64, maxLines int) ([]JobLog, error) {
	if maxLines <= 0 {
		return nil, &Error{Code: CodeValidation, Op: "read failed job logs", Message: fmt.Sprintf("maxLines must be positive, got %d", maxLines)}
	}
	jobs, err := c.WorkflowJobs(ctx, repo, runID)
	if err != nil {
		return nil, err
	}
	var logs []JobLog
	for _, job := range jobs {
		if !failedConclusions[job.Conclusion] {
			continue
		}
		op := fmt.Sprintf("read log of job %d in %s", job.ID, repo.FullName())
		text, truncated, err := c.jobLogTail(ctx, repo, job.ID, maxLines)
		if err != nil {
			return nil, classify(op, err)
		}
		logs = append(logs, JobLog{Job: job, Log: text, Truncated: truncated})
	}
	return logs, nil
}

// jobLogTail asks for a job's log, which GitHub answers with a redirect to a pre-signed
// archive URL; the archive is fetched without the token.
func (c *Client) jobLogTail(ctx context.Context, repo Repo, jobID int64, maxLines int) (string, bool, error) {
	u := fmt.Sprintf("%s/repos/%s/%s/actions/jobs/%d/logs", strings.TrimRight(c.opts.Endpoint.REST, "/"), repo.Owner, repo.Name, jobID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", false, err
	}
	noRedirect := &http.Client{Transport: c.http.Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Do(req)
	if err != nil {
		return "", false, err
	}
	defer func() { _ = resp.Body.Close() }()
	switch {
	case resp.StatusCode == http.StatusOK:
		return tailLines(resp.Body, maxLines)
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		location, err := resp.Location()
		if err != nil {
			return "", false, &Error{Code: CodeBadResponse, Status: resp.StatusCode, Message: "log redirect without a Location"}
		}
		return c.downloadTail(ctx, location.String(), maxLines)
	}
	return "", false, statusError("", resp)
}

func (c *Client) downloadTail(ctx context.Context, location string, maxLines int) (string, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, location, nil)
	if err != nil {
		return "", false, err
	}
	resp, err := c.download.Do(req)
	if err != nil {
		var urlErr interface{ Timeout() bool }
		if errors.As(err, &urlErr) && urlErr.Timeout() {
			return "", false, &Error{Code: CodeTimeout, Message: "log download timed out", err: err}
		}
		return "", false, &Error{Code: CodeUnavailable, Message: "log download failed", err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return "", false, statusError("", resp)
	}
	return tailLines(resp.Body, maxLines)
}

// tailLines keeps the last maxLines lines of at most maxLogDownloadBytes of r, each cut to
// maxLogLineBytes; truncated reports anything dropped.
func tailLines(r io.Reader, maxLines int) (string, bool, error) {
	limited := &io.LimitedReader{R: r, N: maxLogDownloadBytes + 1}
	br := bufio.NewReader(limited)
	ring := make([]string, 0, min(maxLines, 1024))
	start, dropped := 0, false
	for {
		line, cut, err := readLine(br)
		if line != "" || err == nil {
			dropped = dropped || cut
			if len(ring) < maxLines {
				ring = append(ring, line)
			} else {
				ring[start] = line
				start = (start + 1) % maxLines
				dropped = true
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", false, err
		}
	}
	if limited.N <= 0 {
		dropped = true
	}
	ordered := append(ring[start:len(ring):len(ring)], ring[:start]...)
	return strings.Join(ordered, "\n"), dropped, nil
}

// readLine reads one line without its newline, keeping at most maxLogLineBytes of it.
func readLine(br *bufio.Reader) (string, bool, error) {
	var b strings.Builder
	cut := false
	for {
		chunk, isPrefix, err := br.ReadLine()
		if b.Len() < maxLogLineBytes {
			room := maxLogLineBytes - b.Len()
			if len(chunk) > room {
				chunk, cut = chunk[:room], true
			}
			b.Write(chunk)
		} else if len(chunk) > 0 {
			cut = true
		}
		if err != nil || !isPrefix {
			return b.String(), cut, err
		}
	}
}
