package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/yamlschema"
)

// Learnings are captured when the review poller sees a merge, so turning them on without the
// poller is refused at the key's line rather than silently capturing nothing.
func TestLearningsNeedTheReviewPoller(t *testing.T) {
	base := "issues: {provider: memory}\nrepositories: [{key: app}]\nagent:\n  runtime: codex\n  command: codex app-server\n"
	_, err := load(t, base+"pull_requests:\n  learnings: {enabled: true}\n", nil)
	var errs yamlschema.Errors
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Path != "pull_requests.learnings.enabled" || errs[0].Line != 7 ||
		!strings.Contains(errs[0].Msg, "pull_requests.enabled") {
		t.Fatalf("learnings without the poller: %v", err)
	}
	c := mustLoad(t, base+"pull_requests:\n  enabled: true\n  learnings: {enabled: true, max_per_run: 2}\n", nil)
	if l := c.PullRequests.Learnings; !l.Enabled || l.MaxPerRun != 2 || l.Provider != "anthropic" {
		t.Fatalf("learnings with the poller: %+v", l)
	}
	_, err = load(t, base+"pull_requests:\n  enabled: true\n  learnings: {enabled: true, max_per_run: 4}\n", nil)
	if !errors.As(err, &errs) || errs[0].Path != "pull_requests.learnings.max_per_run" || errs[0].Line != 8 {
		t.Fatalf("max_per_run 4: %v", err)
	}
}
