package doctor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/symphony-go/symphony/internal/tracker"
)

// Tracker describes the configured tracker.
type Tracker struct {
	// Provider is issues.provider.
	Provider string
	// Dir is issues.local.dir for the local provider.
	Dir string
	// Endpoint names the remote tracker in messages.
	Endpoint string
	// Verify sends the provider's cheapest authenticated request; a refused credential
	// wraps tracker.ErrAuthRejected.
	Verify func(ctx context.Context) error
	// Err is why no client could be built from the configuration.
	Err error
	// CredentialFix says how to supply a valid credential when the tracker refuses it; empty
	// means Linear's.
	CredentialFix string
}

func (t Tracker) check(ctx context.Context) Result {
	if t.Err != nil {
		return fail("correct the issues section of symphony.yml", "%s tracker cannot be set up: %v", t.Provider, t.Err)
	}
	switch {
	case t.Provider == "local":
		return checkLocalDir(t.Dir)
	case t.Verify == nil:
		return fail("set issues.provider to linear, github, gitlab, jira or local", "issues.provider %q has no tracker outside tests", t.Provider)
	}
	err := t.Verify(ctx)
	switch {
	case err == nil:
		return ok("%s at %s accepted the API key", t.Provider, t.Endpoint)
	case errors.Is(err, tracker.ErrAuthRejected):
		fix := t.CredentialFix
		if fix == "" {
			fix = "set issues.linear.api_key (or export LINEAR_API_KEY) to a valid Linear API key"
		}
		return fail(fix, "%s rejected the API key: %v", t.Provider, err)
	case ctx.Err() != nil:
		return transient("check the network path to the tracker; the service retries polls with backoff",
			"%s at %s did not answer in time", t.Provider, t.Endpoint)
	default:
		return transient("check the network path to the tracker and its status page; the service retries polls with backoff",
			"%s at %s is unreachable: %v", t.Provider, t.Endpoint, err)
	}
}

func checkLocalDir(dir string) Result {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fail(fmt.Sprintf("create it (mkdir -p %s) or point issues.local.dir at the issues directory", dir),
			"issues.local.dir %s does not exist", dir)
	case err != nil:
		return fail(fmt.Sprintf("make %s a directory readable by this user", dir), "issues.local.dir %s cannot be read: %v", dir, err)
	}
	return ok("local issues directory %s is readable (%d entries)", dir, len(entries))
}
