package gitremote

import (
	"slices"
	"strings"

	"github.com/symphony-go/symphony/internal/github"
)

// parseOrigin reads the GitHub repository of an origin URL; only github.com and the
// enterprise hosts count (ok false for any other host, a local path or a malformed URL).
func parseOrigin(remote string, enterpriseHosts []string) (github.Repo, bool) {
	repo, err := github.ParseRemote(remote)
	if err != nil {
		return github.Repo{}, false
	}
	if repo.Host != github.PublicHost && !slices.ContainsFunc(enterpriseHosts, func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), repo.Host) }) {
		return github.Repo{}, false
	}
	return repo, true
}

// normalizeURL is the form two origin URLs are compared in: trimmed, without trailing slashes
// or .git, lowercased.
func normalizeURL(u string) string {
	u = strings.TrimRight(strings.TrimSpace(u), "/")
	return strings.ToLower(strings.TrimSuffix(u, ".git"))
}
