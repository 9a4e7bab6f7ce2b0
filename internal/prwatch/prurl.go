package prwatch

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/symphony-go/symphony/internal/github"
)

// parsePRURL splits https://<host>/<owner>/<name>/pull/<n>[/...] into its repository and number.
func parsePRURL(raw string) (github.Repo, int, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return github.Repo{}, 0, fmt.Errorf("pull request URL %q is not an absolute URL", raw)
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 4 || parts[2] != "pull" || parts[0] == "" || parts[1] == "" {
		return github.Repo{}, 0, fmt.Errorf("pull request URL %q does not look like https://<host>/<owner>/<repo>/pull/<number>", raw)
	}
	n, err := strconv.Atoi(parts[3])
	if err != nil || n <= 0 {
		return github.Repo{}, 0, fmt.Errorf("pull request URL %q has no positive pull request number", raw)
	}
	return github.Repo{Host: strings.ToLower(u.Hostname()), Owner: parts[0], Name: strings.TrimSuffix(parts[1], ".git")}, n, nil
}
