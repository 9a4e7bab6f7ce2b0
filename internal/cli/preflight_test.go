package cli

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/tracker/linear/lineartest"
)

// preflightSetup gives the in-process command a fake codex first on PATH, a Codex login and
// a private state root, so only the tracker decides the verdict.
func preflightSetup(t *testing.T, endpoint string) string {
	t.Helper()
	dir := t.TempDir()
	issuesWriteFiles(t, dir, map[string]string{
		"bin/codex":             "#!/bin/sh\necho codex-cli 0.169.0\n",
		"home/.codex/auth.json": `{"auth_mode": "apikey", "OPENAI_API_KEY": "sk-test"}`,
		"WORKFLOW.md":           issuesWorkflow,
		"symphony.yml": `issues:
  provider: linear
  linear:
    endpoint: ` + endpoint + `
    api_key: $SYMPHONY_TEST_LINEAR_KEY
    scope: {team: ENG}
repositories:
  - key: app
workspaces: {root: ws}
agent: {runtime: codex, command: codex app-server}
`,
	})
	if err := os.Chmod(filepath.Join(dir, "bin", "codex"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", filepath.Join(dir, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("HOME", filepath.Join(dir, "home"))
	t.Setenv("CODEX_HOME", "")
	t.Setenv("SYMPHONY_STATE_ROOT", filepath.Join(dir, "state"))
	t.Setenv("SYMPHONY_LOGS_ROOT", "")
	return filepath.Join(dir, "symphony.yml")
}

func runMain(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestPreflightTracker checks the tracker verdicts at both entry points: a refused Linear key
// fails `doctor` and refuses the service start (no retry fixes it), while an unreachable
// Linear fails `doctor` but lets the service start with a warning.
func TestPreflightTracker(t *testing.T) {
	srv := lineartest.NewServer(t, lineartest.Schema(t), lineartest.Options{})
	srv.AddTeam(lineartest.Team{Key: "ENG"})

	t.Run("accepted key", func(t *testing.T) {
		config := preflightSetup(t, srv.URL)
		t.Setenv("SYMPHONY_TEST_LINEAR_KEY", lineartest.APIKey)
		code, out, stderr := runMain("doctor", "--config", config)
		if code != ExitOK {
			t.Fatalf("exit %d\n%s%s", code, out, stderr)
		}
		issuesRequireLines(t, out, `^ok    tracker            linear at http://127\.0\.0\.1:\d+ accepted the API key$`)
	})

	t.Run("rejected key", func(t *testing.T) {
		config := preflightSetup(t, srv.URL)
		t.Setenv("SYMPHONY_TEST_LINEAR_KEY", "lin_api_revoked")
		code, out, stderr := runMain("doctor", "--config", config)
		if code != ExitFailure {
			t.Fatalf("doctor: exit %d, want 1\n%s%s", code, out, stderr)
		}
		issuesRequireLines(t, out, `^fail  tracker            linear rejected the API key: .*HTTP 401.*  fix: set issues\.linear\.api_key \(or export LINEAR_API_KEY\) to a valid Linear API key$`)
		if strings.Contains(out+stderr, "lin_api_revoked") {
			t.Fatalf("the key leaked into the output:\n%s%s", out, stderr)
		}
		code, out, stderr = runMain("run", "ENG-1", "--config", config)
		if code != ExitUsage || !strings.Contains(stderr, "refusing to start: 1 preflight check(s) failed") {
			t.Fatalf("run: exit %d, want 2 refusing to start\n%s%s", code, out, stderr)
		}
		issuesRequireLines(t, stderr, `^fail  tracker            linear rejected the API key`)
	})

	t.Run("unreachable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := "http://" + ln.Addr().String() + "/graphql"
		ln.Close()
		config := preflightSetup(t, closed)
		t.Setenv("SYMPHONY_TEST_LINEAR_KEY", lineartest.APIKey)
		code, out, stderr := runMain("doctor", "--config", config)
		if code != ExitFailure {
			t.Fatalf("doctor: exit %d, want 1\n%s%s", code, out, stderr)
		}
		issuesRequireLines(t, out, `^fail  tracker            linear at http://127\.0\.0\.1:\d+/graphql is unreachable: .*  fix: check the network path`)
		// The service starts: `run` gets past the preflight and fails on the tracker itself.
		code, out, stderr = runMain("run", "ENG-1", "--config", config)
		if code != ExitFailure {
			t.Fatalf("run: exit %d, want 1 (started, then the tracker failed)\n%s%s", code, out, stderr)
		}
		issuesRequireLines(t, stderr,
			`level=WARN msg="preflight check failed; starting anyway, a retry may clear it" check=tracker detail="linear at .* is unreachable`)
		if strings.Contains(stderr, "refusing to start") {
			t.Fatalf("a transient failure refused the start:\n%s", stderr)
		}
	})
}
