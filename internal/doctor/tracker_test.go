package doctor

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/tracker"
)

func TestTrackerCheck(t *testing.T) {
	issues := t.TempDir()
	os.WriteFile(filepath.Join(issues, "ENG-1.md"), []byte("---\ntitle: x\nstate: Todo\n---\n"), 0o644)
	verify := func(err error) func(context.Context) error {
		return func(context.Context) error { return err }
	}
	rejected := tracker.Errorf(tracker.CodeStatus, "SymphonyViewer: HTTP 401")
	rejected.Err = tracker.ErrAuthRejected
	linear := func(err error) Tracker {
		return Tracker{Provider: "linear", Endpoint: "https://linear.example", Verify: verify(err)}
	}
	tests := []struct {
		name      string
		tracker   Tracker
		status    Status
		transient bool
		detail    string
	}{
		{"local directory", Tracker{Provider: "local", Dir: issues}, StatusOK, false, "(1 entries)"},
		{"local directory missing", Tracker{Provider: "local", Dir: filepath.Join(issues, "nope")}, StatusFail, false, "does not exist"},
		{"linear accepts", linear(nil), StatusOK, false, "accepted the API key"},
		{"linear rejects the key", linear(rejected), StatusFail, false, "rejected the API key"},
		{"linear unreachable", linear(tracker.Errorf(tracker.CodeRequest, "dial tcp: connection refused")), StatusFail, true, "is unreachable"},
		{"linear misconfigured", Tracker{Provider: "linear", Err: errors.New("no scope")}, StatusFail, false, "cannot be set up: no scope"},
		{"memory", Tracker{Provider: "memory"}, StatusFail, false, "no tracker outside tests"},
		{"github rejects the token", Tracker{Provider: "github", Endpoint: "the GitHub API", Verify: verify(rejected), CredentialFix: "export GH_TOKEN"}, StatusFail, false, "github rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.tracker.check(context.Background())
			if tt.tracker.CredentialFix != "" && got.Fix != tt.tracker.CredentialFix {
				t.Fatalf("fix %q, want the provider's own %q", got.Fix, tt.tracker.CredentialFix)
			}
			if got.Status != tt.status || got.Transient != tt.transient || !strings.Contains(got.Detail, tt.detail) {
				t.Fatalf("got %+v, want %s (transient %v) containing %q", got, tt.status, tt.transient, tt.detail)
			}
			if got.Status != StatusOK && got.Fix == "" {
				t.Fatalf("no fix: %+v", got)
			}
		})
	}
}
