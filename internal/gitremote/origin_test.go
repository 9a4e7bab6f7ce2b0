package gitremote

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/testenv"
)

const githubURL = "https://github.com/acme/widgets.git"

// newWorkspace makes a bare origin on disk and a clone whose origin reads as the GitHub URL,
// rewritten to the bare repository by url.insteadOf, on branch symphony/ABC-1 with one commit.
func newWorkspace(t testing.TB) (ws, bare string) {
	t.Helper()
	root := t.TempDir()
	bare = filepath.Join(root, "origin.git")
	ws = filepath.Join(root, "ws")
	testenv.Git(t, root, "init", "--quiet", "--bare", "--initial-branch=main", bare)
	testenv.Git(t, root, "init", "--quiet", "--initial-branch=main", ws)
	testenv.Git(t, ws, "config", "url."+bare+".insteadOf", githubURL)
	testenv.Git(t, ws, "remote", "add", "origin", githubURL)
	testenv.Git(t, ws, "commit", "--quiet", "--allow-empty", "-m", "base")
	testenv.Git(t, ws, "push", "--quiet", "origin", "main")
	testenv.Git(t, ws, "switch", "--quiet", "-c", "symphony/ABC-1")
	return ws, bare
}

func commit(t *testing.T, ws, name string) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(ws, name), []byte(name+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, ws, "add", name)
	testenv.Git(t, ws, "commit", "--quiet", "-m", "add "+name)
	return testenv.GitOutput(t, ws, "rev-parse", "HEAD")
}

func codeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestParseOrigin(t *testing.T) {
	enterprise := []string{"git.example.com"}
	for _, tc := range []struct {
		remote string
		want   string
		ok     bool
	}{
		{"https://github.com/acme/widgets.git", "acme/widgets", true},
		{"https://GitHub.com/acme/widgets/", "acme/widgets", true},
		{"git@github.com:acme/widgets.git", "acme/widgets", true},
		{"ssh://git@github.com/acme/widgets", "acme/widgets", true},
		{"https://git.example.com/team/tool.git", "team/tool", true},
		{"https://gitlab.com/acme/widgets.git", "", false},
		{"https://github.com/acme", "", false},
		{"https://github.com/acme/widgets/tree/main", "", false},
		{"/srv/git/widgets.git", "", false},
		{"file:///srv/git/widgets.git", "", false},
	} {
		repo, ok := parseOrigin(tc.remote, enterprise)
		if ok != tc.ok || (ok && repo.FullName() != tc.want) {
			t.Errorf("parseOrigin(%q) = %q, %v; want %q, %v", tc.remote, repo.FullName(), ok, tc.want, tc.ok)
		}
	}
}

func TestPushReachesTheBareOrigin(t *testing.T) {
	ws, bare := newWorkspace(t)
	ctx := context.Background()
	o, err := Capture(ctx, ws, nil, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if o.Repo.FullName() != "acme/widgets" || o.Branch != "symphony/ABC-1" {
		t.Fatalf("captured %+v", o)
	}
	head := commit(t, ws, "feature.txt")
	branch, err := o.Push(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if branch != "symphony/ABC-1" {
		t.Errorf("pushed %q", branch)
	}
	if got := testenv.GitOutput(t, bare, "rev-parse", "refs/heads/symphony/ABC-1"); got != head {
		t.Errorf("bare origin has %s, workspace head is %s", got, head)
	}
	if _, err := o.Fetch(ctx, ""); err != nil {
		t.Errorf("fetch: %v", err)
	}
}

func TestPushRefusals(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, ws string)
		code   string
	}{
		{"origin url rewritten", func(t *testing.T, ws string) {
			testenv.Git(t, ws, "remote", "set-url", "origin", "https://github.com/attacker/widgets.git")
		}, CodeOriginMismatch},
		{"push url added", func(t *testing.T, ws string) {
			testenv.Git(t, ws, "remote", "set-url", "--push", "origin", "https://github.com/attacker/widgets.git")
		}, CodeOriginMismatch},
		{"url rewrite added", func(t *testing.T, ws string) {
			testenv.Git(t, ws, "config", "url./tmp/elsewhere.git.pushInsteadOf", githubURL)
		}, CodeOriginMismatch},
		{"second remote added", func(t *testing.T, ws string) {
			testenv.Git(t, ws, "remote", "add", "exfil", "https://example.com/x.git")
		}, CodeOriginMismatch},
		{"detached head", func(t *testing.T, ws string) {
			testenv.Git(t, ws, "switch", "--quiet", "--detach")
		}, CodeDetachedHead},
		{"other branch", func(t *testing.T, ws string) {
			testenv.Git(t, ws, "switch", "--quiet", "main")
		}, CodeBranchChanged},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws, bare := newWorkspace(t)
			ctx := context.Background()
			o, err := Capture(ctx, ws, nil, 30*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			commit(t, ws, "feature.txt")
			tc.change(t, ws)
			_, err = o.Push(ctx, "")
			if codeOf(err) != tc.code {
				t.Fatalf("push error %v, want code %s", err, tc.code)
			}
			if _, err := o.Fetch(ctx, ""); tc.code != CodeBranchChanged && codeOf(err) != tc.code {
				t.Errorf("fetch error %v, want code %s", err, tc.code)
			}
			if out := testenv.GitOutput(t, bare, "branch", "--list", "symphony/ABC-1"); out != "" {
				t.Errorf("the refused push reached the origin: %q", out)
			}
		})
	}
}

func TestPushIgnoresWorkspaceHooks(t *testing.T) {
	ws, _ := newWorkspace(t)
	ctx := context.Background()
	o, err := Capture(ctx, ws, nil, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(t.TempDir(), "hook-ran")
	hook := filepath.Join(ws, ".git", "hooks", "pre-push")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\ntouch "+marker+"\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	commit(t, ws, "feature.txt")
	if _, err := o.Push(ctx, ""); err != nil {
		t.Fatalf("push: %v", err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the workspace's pre-push hook ran with the operator's credentials")
	}
}

func TestCaptureRefusesNonGitHubOrigin(t *testing.T) {
	ws, _ := newWorkspace(t)
	testenv.Git(t, ws, "remote", "set-url", "origin", "https://gitlab.com/acme/widgets.git")
	if _, err := Capture(context.Background(), ws, nil, 30*time.Second); codeOf(err) != CodeNotGitHub {
		t.Errorf("capture error %v, want %s", err, CodeNotGitHub)
	}
}

// Capture reads the origin from one listing of the configuration; where remote.origin.url
// has several values (a second one added locally), it takes the one git itself answers.
func TestCaptureTakesTheOriginGitAnswers(t *testing.T) {
	ws, _ := newWorkspace(t)
	testenv.Git(t, ws, "config", "--add", "remote.origin.url", "https://github.com/acme/gadgets.git")
	o, err := Capture(context.Background(), ws, nil, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := testenv.GitOutput(t, ws, "config", "--get", "remote.origin.url")
	if o.URL != want || o.Repo.FullName() != "acme/gadgets" {
		t.Fatalf("captured %q (%s), want git's answer %q", o.URL, o.Repo.FullName(), want)
	}
	if _, err := o.Verify(context.Background()); err != nil {
		t.Fatalf("verify right after capture: %v", err)
	}
}

// BenchmarkCapture is what a session start in a GitHub workspace spends on its origin.
func BenchmarkCapture(b *testing.B) {
	ws, _ := newWorkspace(b)
	for b.Loop() {
		if _, err := Capture(context.Background(), ws, nil, 30*time.Second); err != nil {
			b.Fatal(err)
		}
	}
}

// A workspace in no repository has no GitHub origin, and that is known without git: with no
// git on PATH the answer is still CodeNotGitHub, not a failed git run.
func TestCaptureOfAWorkspaceInNoRepositoryRunsNoGit(t *testing.T) {
	ws := t.TempDir()
	t.Setenv("PATH", t.TempDir())
	_, err := Capture(context.Background(), ws, nil, 30*time.Second)
	if codeOf(err) != CodeNotGitHub || !strings.Contains(err.Error(), "in no git repository") {
		t.Fatalf("capture error %v, want %s saying the workspace is in no git repository", err, CodeNotGitHub)
	}
}

// TestCredentialHelperAnswersOnlyForTheOriginHost runs git's credential lookup with the options
// a push gets: the token comes back for the origin's host, from the environment, and is not
// among the arguments.
func TestCredentialHelperAnswersOnlyForTheOriginHost(t *testing.T) {
	ws, _ := newWorkspace(t)
	o, err := Capture(context.Background(), ws, nil, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	const token = "test-token-value"
	pre, env := o.remoteSetup(token)
	if strings.Contains(strings.Join(pre, " "), token) {
		t.Fatalf("the token is in git's arguments: %q", pre)
	}
	for _, tc := range []struct {
		host string
		want bool
	}{{"github.com", true}, {"example.com", false}} {
		cmd := exec.Command("git", append(pre, "credential", "fill")...)
		cmd.Env = append(gitFreeEnv(), append(env, "GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1")...)
		cmd.Stdin = strings.NewReader("protocol=https\nhost=" + tc.host + "\n\n")
		out, _ := cmd.Output()
		if got := strings.Contains(string(out), "password="+token); got != tc.want {
			t.Errorf("credential fill for %s returned the token: %v (want %v); output %q", tc.host, got, tc.want, out)
		}
	}
}

// TestPushRefusedByAProtectedBranch has the origin refuse the push the way GitHub refuses a
// protected branch; the failure carries its own code and git's message.
func TestPushRefusedByAProtectedBranch(t *testing.T) {
	ws, bare := newWorkspace(t)
	hook := filepath.Join(bare, "hooks", "pre-receive")
	script := "#!/bin/sh\necho 'error: GH006: Protected branch update failed for refs/heads/symphony/ABC-1.' >&2\nexit 1\n"
	if err := os.WriteFile(hook, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	o, err := Capture(ctx, ws, nil, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	commit(t, ws, "feature.txt")
	_, err = o.Push(ctx, "")
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeProtectedBranch || !strings.Contains(e.Output, "GH006") {
		t.Fatalf("push error %v, want %s with git's message", err, CodeProtectedBranch)
	}
}

// TestRemoteGitOverridesPlantedSettings plants, before the session starts, settings that would
// run a program or send the push (and the token) through a proxy; under the options a push
// runs with, git reads Symphony's values instead, and a planted credential helper never runs.
func TestRemoteGitOverridesPlantedSettings(t *testing.T) {
	ws, _ := newWorkspace(t)
	marker := filepath.Join(t.TempDir(), "ran")
	planted := map[string]string{
		"core.fsmonitor": "touch " + marker + " #", "core.sshCommand": "touch " + marker + " #", "core.askPass": "/tmp/steal",
		"http.proxy": "http://127.0.0.1:9", "https.proxy": "http://127.0.0.1:9", "http.sslVerify": "false",
		"credential.helper": "!touch " + marker + " #", "core.hooksPath": "/tmp/hooks",
	}
	for key, value := range planted {
		testenv.Git(t, ws, "config", key, value)
	}
	o, err := Capture(context.Background(), ws, nil, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	pre, env := o.remoteSetup("a-token")
	for key, value := range planted {
		cmd := exec.Command("git", append(pre, "config", "--get", key)...)
		cmd.Env = append(gitFreeEnv(), env...)
		out, _ := cmd.Output()
		if strings.TrimSuffix(string(out), "\n") == value {
			t.Errorf("%s is still the planted %q under the push's options", key, value)
		}
	}
	cmd := exec.Command("git", append(pre, "credential", "fill")...)
	cmd.Env = append(gitFreeEnv(), append(env, "GIT_TERMINAL_PROMPT=0")...)
	cmd.Stdin = strings.NewReader("protocol=https\nhost=github.com\n\n")
	if out, err := cmd.Output(); err != nil || !strings.Contains(string(out), "password=a-token") {
		t.Errorf("credential fill = %q, %v; want Symphony's helper's answer", out, err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("a planted program ran")
	}
}
