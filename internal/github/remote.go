package github

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// APIURLEnv names the environment variable that points the client at another REST base (tests,
// proxies, mirrors); GraphQL is then served at <base>/graphql. It wins over the host mapping.
const APIURLEnv = "SYMPHONY_GITHUB_API_URL"

// PublicHost is GitHub's own web host.
const PublicHost = "github.com"

// ParseRemote reads a git remote URL (it comes from git config, so it is untrusted) in the
// https://host/owner/repo(.git), ssh://[user@]host[:port]/owner/repo(.git) or scp-like
// [user@]host:owner/repo(.git) form. Credentials in the URL are dropped, never returned.
func ParseRemote(remote string) (Repo, error) {
	raw := strings.TrimSpace(remote)
	fail := func(why string) (Repo, error) {
		return Repo{}, &Error{Code: CodeInvalidRemote, Op: "parse remote", Message: fmt.Sprintf("%q: %s", redactUserinfo(raw), why)}
	}
	if raw == "" {
		return fail("empty remote URL")
	}
	var host, path string
	if scheme, _, ok := strings.Cut(raw, "://"); ok {
		switch strings.ToLower(scheme) {
		case "https", "http", "ssh", "git", "git+ssh", "ssh+git":
		default:
			return fail("unsupported scheme " + strings.ToLower(scheme))
		}
		u, err := url.Parse(raw)
		if err != nil {
			return fail("not a URL")
		}
		host, path = u.Hostname(), u.Path
		if u.RawQuery != "" || u.Fragment != "" {
			return fail("query or fragment in a remote URL")
		}
	} else {
		at := strings.LastIndex(raw, "@")
		rest := raw[at+1:]
		h, p, ok := strings.Cut(rest, ":")
		if !ok || strings.HasPrefix(p, "/") || strings.ContainsAny(h, "/\\") {
			return fail("not an https, ssh:// or host:owner/repo remote")
		}
		host, path = h, p
	}
	host = strings.ToLower(host)
	if !validHost(host) {
		return fail("invalid host")
	}
	path = strings.TrimSuffix(strings.Trim(path, "/"), ".git")
	owner, name, ok := strings.Cut(path, "/")
	if !ok || strings.Contains(name, "/") {
		return fail("path must be owner/repo")
	}
	if !validOwner(owner) {
		return fail("invalid owner " + fmt.Sprintf("%q", owner))
	}
	if !validRepoName(name) {
		return fail("invalid repository name " + fmt.Sprintf("%q", name))
	}
	return Repo{Host: host, Owner: owner, Name: name}, nil
}

// redactUserinfo drops user:password@ from a URL-shaped remote so errors never echo a secret.
func redactUserinfo(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	authority, path, _ := strings.Cut(rest, "/")
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		authority = "***@" + authority[i+1:]
	}
	if path == "" && !strings.Contains(rest, "/") {
		return scheme + "://" + authority
	}
	return scheme + "://" + authority + "/" + path
}

func validHost(h string) bool {
	if h == "" || len(h) > 253 || strings.HasPrefix(h, ".") || strings.HasSuffix(h, ".") || strings.Contains(h, "..") {
		return false
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// validOwner follows GitHub's login rule: alphanumerics and single inner hyphens, at most 39.
func validOwner(s string) bool {
	if s == "" || len(s) > 39 || strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// validRepoName refuses a name still ending in .git after the suffix is cut: GitHub does not
// allow such names, and accepting one would make "r.git.git" and "r.git" the same remote.
func validRepoName(s string) bool {
	if s == "" || s == "." || s == ".." || len(s) > 100 || strings.HasSuffix(s, ".git") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// Endpoint is where a host's APIs live.
type Endpoint struct {
	// REST is the REST base without a trailing slash.
	REST    string
	GraphQL string
}

// EndpointFor maps a repository host to its API endpoint: the environment variable APIURLEnv
// (read through getenv) wins, then github.com, then an exact, case-insensitive match in
// enterpriseHosts (github.enterprise_hosts) at https://<host>/api/v3. Any other host is a
// github_unsupported_host error.
func EndpointFor(host string, enterpriseHosts []string, getenv func(string) string) (Endpoint, error) {
	if override := strings.TrimSpace(getenv(APIURLEnv)); override != "" {
		u, err := url.Parse(override)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Endpoint{}, &Error{Code: CodeUnsupportedHost, Op: "resolve API endpoint", Message: APIURLEnv + " must be an http(s) URL"}
		}
		base := strings.TrimRight(override, "/")
		return Endpoint{REST: base, GraphQL: base + "/graphql"}, nil
	}
	host = strings.ToLower(strings.TrimSpace(host))
	if host == PublicHost {
		return Endpoint{REST: "https://api.github.com", GraphQL: "https://api.github.com/graphql"}, nil
	}
	if slices.ContainsFunc(enterpriseHosts, func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), host) }) {
		return Endpoint{REST: "https://" + host + "/api/v3", GraphQL: "https://" + host + "/api/graphql"}, nil
	}
	return Endpoint{}, &Error{Code: CodeUnsupportedHost, Op: "resolve API endpoint",
		Message: fmt.Sprintf("host %q is neither %s nor listed in github.enterprise_hosts", host, PublicHost)}
}

// TokenFromEnv returns GH_TOKEN, else GITHUB_TOKEN (never a config file); neither set is a
// github_missing_token error.
func TokenFromEnv(getenv func(string) string) (string, error) {
	for _, name := range []string{"GH_TOKEN", "GITHUB_TOKEN"} {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v, nil
		}
	}
	return "", &Error{Code: CodeMissingToken, Op: "read token", Message: "set GH_TOKEN or GITHUB_TOKEN"}
}

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }
