package orchestrator

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/verification"
	"github.com/symphony-go/symphony/internal/workspace"
)

// fakeVerifier hands out ports from a list and records the order of lifecycle calls.
type fakeVerifier struct {
	mu        sync.Mutex
	ports     []string
	startErr  error
	calls     []string
	exhausted bool
}

func (f *fakeVerifier) Acquire(_ context.Context, runID string, is issue.Issue) (Verification, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.exhausted {
		f.calls = append(f.calls, "exhausted "+is.Identifier)
		return nil, &verification.Error{Code: verification.CodeExhausted, Detail: "verification port allocation exhausted"}
	}
	port := f.ports[0]
	f.calls = append(f.calls, "acquire "+is.Identifier+" "+port)
	return &fakeVerification{f: f, port: port}, nil
}

func (f *fakeVerifier) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

type fakeVerification struct {
	f    *fakeVerifier
	port string
}

func (v *fakeVerification) Env() map[string]string {
	return map[string]string{verification.PortEnv: v.port}
}

func (v *fakeVerification) StartServer(_ context.Context, dir string) error {
	v.f.mu.Lock()
	defer v.f.mu.Unlock()
	_, hookRan := os.Stat(filepath.Join(dir, "before_run.port"))
	v.f.calls = append(v.f.calls, "start after before_run="+boolWord(hookRan == nil))
	return v.f.startErr
}

func (v *fakeVerification) Close() {
	v.f.mu.Lock()
	defer v.f.mu.Unlock()
	v.f.calls = append(v.f.calls, "close "+v.port)
}

func boolWord(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func withVerifier(v Verifier, hooks workspace.Hooks) option {
	return func(c *harnessConfig) { c.verifier, c.hooks = v, hooks }
}

// portHooks write the port each hook saw into the workspace.
var portHooks = workspace.Hooks{
	BeforeRun: `printf '%s' "$SYMPHONY_VERIFICATION_PORT" > before_run.port`,
	AfterRun:  `printf '%s' "$SYMPHONY_VERIFICATION_PORT" > after_run.port`,
}

func TestVerificationPortReachesHooksAndIsReleasedAfterTheRun(t *testing.T) {
	// Hooks run in a login shell; an empty home keeps the operator's profile out of it.
	t.Setenv("HOME", t.TempDir())
	v := &fakeVerifier{ports: []string{"4001"}}
	h := newHarness(t, withVerifier(v, portHooks))
	h.put(newIssue(1, "In Progress"))
	h.start()
	h.waitStatuses("id-1", store.StatusSuccess)
	h.eventually("the port to be released", func() bool { l := v.log(); return len(l) > 0 && l[len(l)-1] == "close 4001" })
	dir := h.workspacePath("app", "ENG-1")
	for _, hook := range []string{"before_run.port", "after_run.port"} {
		if got, _ := os.ReadFile(filepath.Join(dir, hook)); string(got) != "4001" {
			t.Errorf("%s saw port %q", hook, got)
		}
	}
	if got := strings.Join(v.log()[:3], "; "); got != "acquire ENG-1 4001; start after before_run=yes; close 4001" {
		t.Errorf("lifecycle %q", got)
	}
}

func TestUnhealthyDevServerFailsTheAttemptAndStillReleasesThePort(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	v := &fakeVerifier{ports: []string{"4002"}, startErr: &verification.Error{Code: verification.CodeFailed, Detail: "never healthy"}}
	h := newHarness(t, withVerifier(v, portHooks))
	h.put(newIssue(1, "In Progress"))
	h.start()
	h.waitFor("the retry", retrying("id-1", 1))
	h.waitStatuses("id-1", store.StatusFailure)
	runs := h.runs("id-1")
	if len(runs) != 1 || runs[0].Status != store.StatusFailure || !strings.Contains(runs[0].Error, "verification_failed") {
		t.Fatalf("runs %+v, want one failure naming verification_failed", runs)
	}
	if n := h.agents.Starts(); n != 0 {
		t.Errorf("the agent started %d times despite an unhealthy dev server", n)
	}
	if l := v.log(); l[len(l)-1] != "close 4002" {
		t.Errorf("lifecycle %v does not end with the release", l)
	}
	if got, _ := os.ReadFile(filepath.Join(h.workspacePath("app", "ENG-1"), "after_run.port")); string(got) != "4002" {
		t.Errorf("after_run did not run with the port after the failure: %q", got)
	}
}

func TestExhaustedPortsMakeTheIssueWaitWithoutUsingAnAttempt(t *testing.T) {
	v := &fakeVerifier{exhausted: true}
	n := &recordingNotifier{}
	h := newHarness(t, withVerifier(v, workspace.Hooks{}), withNotifier(n))
	h.put(newIssue(1, "In Progress"))
	h.start()
	s := h.waitFor("the wait", retrying("id-1", 1))
	if len(s.Retrying) != 1 || !strings.Contains(s.Retrying[0].Error, "exhausted") {
		t.Fatalf("retrying %+v, want the exhaustion as reason", s.Retrying)
	}
	if h.agents.Starts() != 0 || len(n.named("run_failed")) != 0 {
		t.Errorf("an issue waiting for a port started an agent or notified run_failed")
	}
}
