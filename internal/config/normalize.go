package config

import (
	"fmt"
	"strings"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/yamlschema"
)

// attachmentHostsKey is the setting the attach_url tool's host check reads.
const attachmentHostsKey = "workspaces.attachments.allowed_hosts"

// normalize puts list and map values in the canonical form later code relies on.
func (l *loader) normalize() {
	c := l.cfg
	limits := make(map[string]int, len(c.Agent.Concurrency.MaxByIssueState))
	for state, n := range c.Agent.Concurrency.MaxByIssueState {
		path := "agent.concurrency.max_by_issue_state." + state
		norm := issue.NormalizeState(state)
		switch {
		case norm == "":
			l.bad(path, "state names must not be blank")
		case n <= 0:
			l.bad(path, fmt.Sprintf("must be a positive integer, got %d", n))
		default:
			limits[norm] = n
		}
	}
	c.Agent.Concurrency.MaxByIssueState = limits

	att := &c.Workspaces.Attachments
	att.AllowedHosts = uniqueLower(att.AllowedHosts)
	if len(att.AllowedHosts) == 0 {
		if l.has(attachmentHostsKey) {
			line, _ := yamlschema.Locate(l.root, attachmentHostsKey)
			c.emptyAttachmentHosts = fmt.Sprintf("%s:%d", l.file, line)
		}
		att.AllowedHosts = append([]string(nil), DefaultAllowedAttachmentHosts...)
	}
	att.PublicUploadExtensions = l.normalizeExtensions(att.PublicUploadExtensions)

	net := &c.Agent.Permissions.Network
	net.AllowedDomains = uniqueLower(net.AllowedDomains)
	net.DeniedDomains = uniqueLower(net.DeniedDomains)

	fs := &c.Agent.Permissions.Filesystem
	fs.AllowReadPaths = uniqueNonBlank(fs.AllowReadPaths)
	fs.AllowWritePaths = uniqueNonBlank(fs.AllowWritePaths)

	prs := &c.PullRequests
	prs.Checks.EscalateToState = firstNonBlank(prs.Checks.EscalateToState, DefaultEscalationState)
	prs.ReviewState = firstNonBlank(prs.ReviewState, DefaultEscalationState)
	prs.ReworkState = firstNonBlank(prs.ReworkState, DefaultReworkState)
	prs.MergeState = firstNonBlank(prs.MergeState, DefaultReworkState)
	for i := range c.Repositories {
		r := &c.Repositories[i]
		r.Key = strings.TrimSpace(r.Key)
		r.Strategy = firstNonBlank(r.Workspace.Strategy, c.Workspaces.Strategy)
		r.SourceRepo = firstNonBlank(r.Workspace.Repo, c.Workspaces.Repo)
		r.FetchBeforeDispatch = c.Workspaces.FetchBeforeDispatch
		if r.Workspace.FetchBeforeDispatch != nil {
			r.FetchBeforeDispatch = *r.Workspace.FetchBeforeDispatch
		}
	}
}

func (l *loader) normalizeExtensions(exts []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range exts {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" {
			continue
		}
		if strings.ContainsAny(e, "/\\ ") || strings.IndexFunc(e, isControl) >= 0 || strings.Trim(e, ".") == "" {
			l.bad("workspaces.attachments.public_upload_extensions", "entries must be plain file extensions such as .png, got "+quote(e))
			continue
		}
		if !strings.HasPrefix(e, ".") {
			e = "." + e
		}
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return append([]string(nil), DefaultPublicUploadExtensions...)
	}
	return out
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func uniqueLower(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.ToLower(strings.TrimSpace(s))
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func uniqueNonBlank(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func firstNonBlank(values ...string) string {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
