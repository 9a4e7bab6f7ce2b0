package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/sandbox"
)

// exampleIssue names the placeholder issue workspace the explanation is rendered for; real
// sessions substitute their own workspace path.
const exampleIssue = "EXAMPLE-1"

func newSandboxCmd(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Inspect the agent sandbox policy",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newSandboxExplainCmd(g))
	return cmd
}

func newSandboxExplainCmd(g *Globals) *cobra.Command {
	var (
		repoKey string
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "explain",
		Short: "Print the effective sandbox policy for a repository and what enforces it",
		Long: "Prints the deny lists, writable roots, network allowlist and approval policy an agent\n" +
			"session would get for the repository, which layer enforces each (Codex native or srt),\n" +
			"and the attack matrix measured on the real binaries, naming what this mode leaves open.\n" +
			"With --json the same facts come as one JSON object.\n" +
			"Paths are shown for a placeholder issue workspace " + exampleIssue + ".",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(g, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			repo, err := pickRepository(cfg, repoKey)
			if err != nil {
				return usageErr(err)
			}
			home, err := os.UserHomeDir()
			if err != nil {
				return failure(fmt.Errorf("sandbox explain: home directory: %w", err))
			}
			pol, err := sandbox.Resolve(sandboxInput(cfg, repo, g.StateRoot(), g.LogsRoot(), home))
			if err != nil {
				return usageErr(fmt.Errorf("%s: %w", cfg.Path, err))
			}
			out := cmd.OutOrStdout()
			report := explainReport{Repository: repo.Key, Config: cfg.Path, Explanation: pol.Explain()}
			envSpec := codex.AgentEnvSpec(cfg, pol.Codex().ConfigOverrides)
			if pol.Runtime == sandbox.RuntimeCodex {
				if report.AgentEnvironment, err = sandbox.AgentEnvNames(envSpec); err != nil {
					return usageErr(fmt.Errorf("%s: %w", cfg.Path, err))
				}
			}
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(report); err != nil {
					return failure(err)
				}
				return nil
			}
			fmt.Fprintf(out, "Sandbox policy for repository %q (%s)\n", repo.Key, cfg.Path)
			if err := report.WriteText(out); err != nil {
				return failure(err)
			}
			if pol.Runtime == sandbox.RuntimeCodex {
				if err := sandbox.ExplainAgentEnv(out, envSpec); err != nil {
					return failure(err)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&repoKey, "repo", "", "repository key (default: the default repository, or the only one)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the same facts as one JSON object")
	return cmd
}

// explainReport is the --json output: the repository and config the policy was rendered for,
// and the explanation's own fields.
type explainReport struct {
	Repository string `json:"repository"`
	Config     string `json:"config"`
	// AgentEnvironment names the variables the agent's environment holds (never values).
	AgentEnvironment []string `json:"agent_environment,omitempty"`
	sandbox.Explanation
}

// pickRepository returns the repository --repo names, else the default or only one.
func pickRepository(cfg *config.Config, key string) (*config.Repository, error) {
	if key != "" {
		if r := cfg.Repo(key); r != nil {
			return r, nil
		}
	} else if r := cfg.Primary(); r != nil && (r.Default || len(cfg.Repositories) == 1) {
		return r, nil
	}
	keys := make([]string, len(cfg.Repositories))
	for i, r := range cfg.Repositories {
		keys[i] = r.Key
	}
	if key != "" {
		return nil, fmt.Errorf("--repo %q: no such repository; configured: %s", key, strings.Join(keys, ", "))
	}
	return nil, fmt.Errorf("several repositories and none is default; choose one with --repo (%s)", strings.Join(keys, ", "))
}

// sandboxInput maps the operator config onto the sandbox policy input for a placeholder
// issue of repo, laid out as newAgentFactory lays out a real session.
func sandboxInput(cfg *config.Config, repo *config.Repository, stateRoot, logsRoot, home string) sandbox.Input {
	in := cfg.SandboxInput()
	in.Workspace = filepath.Join(cfg.Workspaces.Root, exampleIssue)
	in.SessionDir = filepath.Join(stateRoot, "sessions", "codex-session-"+exampleIssue)
	in.StateRoot, in.LogsRoot, in.ConfigFiles = stateRoot, logsRoot, []string{cfg.Path}
	in.Home = home
	// A runtime this build lacks has no paths of its own to add; the service refuses it at
	// start.
	if rt, err := agent.Lookup(cfg.Agent.Runtime); err == nil && rt.SandboxInput != nil {
		in = rt.SandboxInput(in)
	}
	if repo.Strategy == "worktree" && repo.SourceRepo != "" {
		git := filepath.Join(repo.SourceRepo, ".git")
		in.GitMetadataRoots = []string{filepath.Join(git, "worktrees", exampleIssue), git}
	}
	return in
}
