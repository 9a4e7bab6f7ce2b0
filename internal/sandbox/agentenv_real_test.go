package sandbox_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/codex"
	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
	"github.com/symphony-go/symphony/internal/sandbox"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/testenv"
)

// Operator secrets planted in Symphony's own environment, and one in the issue title.
var plantedEnv = map[string]string{
	"LINEAR_API_KEY": "lin_api_PLANTEDlinear0123456789",
	"GH_TOKEN":       "PLANTED-GH-TOKEN-4c2b9e",
	"OPENAI_API_KEY": "sk-PLANTEDopenai0123456789abcdef",
	"FOO_PASSWORD":   "PLANTED-FOO-PASSWORD-71d3",
}

const titleSecret = "ghp_PLANTEDtitle0123456789abcdefghijklmn"

// TestRealCodexAgentEnvironmentCarriesNoSecrets runs the real codex, under the managed
// profile and inside srt, with Symphony's environment holding operator secrets. The agent's
// `env` and /proc/self/environ must show none of them and no credential-named variable; no
// file under the state dir may hold one (the issue title's included) during the run, and the
// session dir must be gone after it.
func TestRealCodexAgentEnvironmentCarriesNoSecrets(t *testing.T) {
	codexBin := testenv.Codex(t)
	testenv.Tool(t, "git")
	for _, mode := range []sandbox.Mode{sandbox.ModeCodexProfile, sandbox.ModeSRT} {
		t.Run(string(mode), func(t *testing.T) {
			if mode == sandbox.ModeSRT {
				testenv.SRT(t)
				for _, tool := range []string{"bwrap", "socat", "rg"} {
					testenv.Tool(t, tool)
				}
			}
			r := newRig(t)
			script := "env > env.txt; tr '\\0' '\\n' < /proc/self/environ > environ.txt; cat env.txt; echo ---; cat environ.txt"
			mock := codextest.NewResponses(t, codextest.Step{Shell: script}, codextest.Step{Text: "done"})
			mockHost := strings.TrimSuffix(strings.TrimPrefix(mock.URL, "http://"), "/v1")
			allowed := mockHost
			if mode == sandbox.ModeCodexProfile {
				// Codex's profile matches host names only; a host:port entry is refused.
				allowed, _, _ = strings.Cut(mockHost, ":")
			}
			sessionDir, err := codex.NewSessionDir(filepath.Dir(r.session))
			if err != nil {
				t.Fatal(err)
			}
			in := r.input(mode, mockHost, allowed)
			in.SessionDir, in.CodexHome = sessionDir, filepath.Join(sessionDir, "home")
			if mode == sandbox.ModeSRT {
				in.Permissions.OuterSandbox.Command = testenv.SRT(t)
			}
			pol, err := sandbox.Resolve(in)
			if err != nil {
				t.Fatal(err)
			}
			params := pol.Codex()
			environ := append(os.Environ(), "HOME="+r.home, mock.Env()[0])
			for name, value := range plantedEnv {
				environ = append(environ, name+"="+value)
			}
			provider := sandbox.CodexProviderOf(mock.ConfigTOML(), params.ConfigOverrides, "")
			env, err := sandbox.AgentEnv(sandbox.AgentEnvSpec{Environ: environ, ProviderKey: provider.EnvKey})
			if err != nil {
				t.Fatal(err)
			}
			var literals []string
			for _, v := range plantedEnv {
				literals = append(literals, v)
			}
			opts := codex.Options{
				Command:           codexBin + " app-server",
				WorkspaceRoot:     r.wsRoot,
				Workspace:         r.ws,
				PrivateDir:        sessionDir,
				AuthFile:          filepath.Join(r.home, ".codex", "auth.json"),
				ConfigTOML:        mock.ConfigTOML(),
				Env:               env,
				Secrets:           secretscan.New(literals...),
				IssueIdentifier:   "SEC-1",
				IssueTitle:        "Rotate " + titleSecret + " and " + plantedEnv["GH_TOKEN"],
				ApprovalPolicy:    params.ApprovalPolicy,
				AutoApproveAll:    params.AutoApproveAll,
				ThreadSandbox:     params.ThreadSandbox,
				TurnSandboxPolicy: params.TurnSandboxPolicy,
				ConfigOverrides:   params.ConfigOverrides,
				ReadTimeout:       20 * time.Second,
				TurnTimeout:       90 * time.Second,
			}
			if mode == sandbox.ModeCodexProfile {
				opts.PermissionProfile = params.PermissionProfile
			} else {
				srt, err := pol.WriteSRTSettings(r.state, srtTempDir(t))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = srt.Close() })
				opts.LaunchWrapper = srt.Launch
			}
			sess := codex.New(opts)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			if err := sess.Start(ctx); err != nil {
				t.Fatalf("start codex (%s): %v", mode, err)
			}
			stopped := false
			defer func() {
				if !stopped {
					_ = sess.Stop(context.Background())
				}
			}()
			if _, err := sess.RunTurn(ctx, "print the environment"); err != nil {
				t.Fatalf("turn (%s): %v", mode, err)
			}
			output := toolOutputs(t, mock, mode)
			if !strings.Contains(output, "PATH=") || !strings.Contains(output, "---") {
				t.Fatalf("the env command did not run as scripted:\n%s", output)
			}
			files := map[string]string{"tool output reaching the model": output}
			for _, name := range []string{"env.txt", "environ.txt"} {
				b, err := os.ReadFile(filepath.Join(r.ws, name))
				if err != nil {
					t.Fatalf("the agent did not write %s: %v", name, err)
				}
				files[name] = string(b)
			}
			sessionDirs := readTree(t, r.state)
			if len(sessionDirs) == 0 {
				t.Fatal("the state dir holds no files during the run; the check below would prove nothing")
			}
			named := false
			for path, body := range sessionDirs {
				files[path] = body
				named = named || strings.Contains(body, "SEC-1: Rotate [REDACTED:")
			}
			if !named {
				t.Error("no file under the state dir records the redacted thread name; the title check would prove nothing")
			}
			for where, text := range files {
				for name, value := range plantedEnv {
					if strings.Contains(text, value) {
						t.Errorf("%s holds the value of %s", where, name)
					}
				}
				if strings.Contains(text, titleSecret) {
					t.Errorf("%s holds the secret from the issue title", where)
				}
			}
			for _, where := range []string{"env.txt", "environ.txt"} {
				for _, line := range strings.Split(files[where], "\n") {
					if name, _, ok := strings.Cut(line, "="); ok && secretscan.IsCredentialName(name) {
						t.Errorf("%s: the agent's command sees credential-named variable %s", where, name)
					}
				}
			}
			_ = sess.Stop(context.Background())
			stopped = true
			if _, err := os.Stat(sessionDir); !os.IsNotExist(err) {
				t.Errorf("session dir %s left after Stop (%v)", sessionDir, err)
			}
		})
	}
}

// readTree returns every regular file under dir with its contents.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if b, err := os.ReadFile(path); err == nil {
			out[path] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
