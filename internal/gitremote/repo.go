package gitremote

import (
	"net/url"
	"slices"
	"strings"
)

// PublicHost is github.com, whose API lives at api.github.com rather than under /api/v3.
const PublicHost = "github.com"

// Repo names a GitHub repository.
type Repo struct {
	// Host is github.com or one of github.enterprise_hosts, lowercased.
	Host  string
	Owner string
	Name  string
}

// FullName is owner/name, the form the REST API and pull-request heads use.
func (r Repo) FullName() string { return r.Owner + "/" + r.Name }

// String is owner/name on github.com and host/owner/name on an enterprise host.
func (r Repo) String() string {
	if r.Host == PublicHost {
		return r.FullName()
	}
	return r.Host + "/" + r.FullName()
}

// ParseRepo reads a GitHub repository from a remote URL in any form git accepts for it
// (https://host/o/r(.git), ssh://git@host/o/r, git@host:o/r) on github.com or one of the
// enterprise hosts. Other hosts, local paths and URLs with extra path segments are not GitHub
// repositories (ok false).
func ParseRepo(remote string, enterpriseHosts []string) (Repo, bool) {
	host, path, ok := splitRemote(strings.TrimSpace(remote))
	if !ok {
		return Repo{}, false
	}
	host = strings.ToLower(host)
	if host != PublicHost && !slices.ContainsFunc(enterpriseHosts, func(h string) bool { return strings.EqualFold(h, host) }) {
		return Repo{}, false
	}
	path = strings.TrimSuffix(strings.Trim(path, "/"), ".git")
	owner, name, found := strings.Cut(path, "/")
	if !found || owner == "" || name == "" || strings.Contains(name, "/") {
		return Repo{}, false
	}
	return Repo{Host: host, Owner: owner, Name: name}, true
}

// splitRemote returns a remote's host and repository path.
func splitRemote(remote string) (host, path string, ok bool) {
	if strings.Contains(remote, "://") {
		u, err := url.Parse(remote)
		if err != nil || u.Hostname() == "" {
			return "", "", false
		}
		switch strings.ToLower(u.Scheme) {
		case "https", "http", "ssh", "git":
			return u.Hostname(), u.Path, true
		}
		return "", "", false
	}
	// scp-like syntax: [user@]host:path, where the host part has no slash.
	before, after, found := strings.Cut(remote, ":")
	if !found || strings.Contains(before, "/") {
		return "", "", false
	}
	if _, h, hasUser := strings.Cut(before, "@"); hasUser {
		before = h
	}
	return before, after, before != ""
}

// normalizeURL is the form two origin URLs are compared in: trimmed, without trailing slashes
// or .git, lowercased.
func normalizeURL(u string) string {
	u = strings.TrimRight(strings.TrimSpace(u), "/")
	return strings.ToLower(strings.TrimSuffix(u, ".git"))
}
