package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/prompt"
	"github.com/symphony-go/symphony/internal/tools"
	"github.com/symphony-go/symphony/internal/workflow"
)

func newWorkflowCmd(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "workflow",
		Short: "Work with a repository's WORKFLOW.md",
	}
	cmd.AddCommand(newWorkflowPreviewCmd(g))
	return cmd
}

// previewFlags are the options of `workflow preview`.
type previewFlags struct {
	file  string
	agent string
	pr    bool
	issue string
}

func newWorkflowPreviewCmd(g *Globals) *cobra.Command {
	var f previewFlags
	cmd := &cobra.Command{
		Use:   "preview",
		Short: "Print the exact first-turn prompt an agent would receive for a sample or a real issue",
		Long: "Renders WORKFLOW.md the way a run would, from fixed sample issue data and without any\n" +
			"network access: managed runtime rules, the template with its partials, project guides\n" +
			"from the WORKFLOW.md directory, and the compact bootstrap when the prompt is over the\n" +
			"soft limit. Settings come from --config when that file exists.\n\n" +
			"With --issue ID it fetches that issue from the configured tracker (read-only) and renders\n" +
			"the WORKFLOW.md of the repository the issue routes to, as its first run would.\n" +
			"Exit status: 0 rendered, 1 the tracker failed, 2 the workflow, template, configuration\n" +
			"or issue is invalid.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.issue != "" {
				return runIssuePreview(cmd, g, f)
			}
			return runPreview(cmd, g, f)
		},
	}
	cmd.Flags().StringVar(&f.file, "file", "WORKFLOW.md", "the WORKFLOW.md to render")
	cmd.Flags().StringVar(&f.agent, "agent", "", "agent runtime to render for: codex or claude (default: agent.runtime from --config, else codex)")
	cmd.Flags().BoolVar(&f.pr, "pr", false, "render the pull-request prompt (prompts.pr) instead of the issue prompt")
	cmd.Flags().StringVar(&f.issue, "issue", "", "render for this issue (identifier such as ENG-123), fetched from the configured tracker")
	return cmd
}

func runPreview(cmd *cobra.Command, g *Globals, f previewFlags) error {
	stderr := cmd.ErrOrStderr()
	settings, err := previewSettings(g, stderr)
	if err != nil {
		return err
	}
	if f.agent != "" {
		settings.agentKind = f.agent
	}
	agent, err := prompt.AgentFor(settings.agentKind)
	if err != nil {
		return usageErr(fmt.Errorf("--agent: %w", err))
	}
	wf, err := loadWorkflow(f.file, stderr)
	if err != nil {
		return err
	}
	mode, tpl := prompt.ModeIssue, prompt.Template{Source: wf.PromptTemplate, Path: f.file, Line: wf.PromptLine}
	if f.pr {
		mode, tpl = prompt.ModePR, prompt.Template{Source: wf.PRPrompt, Path: f.file, Line: wf.PRPromptLine}
	}
	dir, err := filepath.Abs(filepath.Dir(f.file))
	if err != nil {
		return failure(err)
	}
	tpl.PartialsDir = filepath.Join(dir, filepath.FromSlash(prompt.RepoPartialsDir))
	req := prompt.Sample(mode, agent, tpl)
	req.Workspace = dir

	return writeFirstTurn(cmd, settings.options, req)
}

// writeFirstTurn renders the first-turn prompt of req to stdout, noting on stderr when the
// agent would get the compact bootstrap instead of the full prompt.
func writeFirstTurn(cmd *cobra.Command, opts prompt.Options, req prompt.Request) error {
	res, err := prompt.NewBuilder(opts).FirstTurn(req)
	if err != nil {
		return usageErr(err)
	}
	if res.Compact {
		fmt.Fprintf(cmd.ErrOrStderr(), "note: the full prompt is %d bytes, over the %d-byte soft limit; showing the compact bootstrap the agent would receive\n",
			res.FullBytes, softLimit(opts))
	}
	_, err = io.WriteString(cmd.OutOrStdout(), res.Text)
	return err
}

type previewSetting struct {
	agentKind string
	options   prompt.Options
}

// previewSettings takes prompt settings from --config when the file exists, and the
// defaults otherwise, so a repository can be previewed without an operator config.
func previewSettings(g *Globals, stderr io.Writer) (previewSetting, error) {
	s := previewSetting{agentKind: "codex", options: prompt.Options{Guides: prompt.GuideOptions{Enabled: true}}}
	if _, err := os.Stat(g.ConfigPath); errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	cfg, err := loadConfig(g, stderr)
	if err != nil {
		return s, err
	}
	return previewSetting{agentKind: cfg.Agent.Runtime, options: promptOptions(cfg)}, nil
}

// promptOptions maps the operator configuration onto the prompt builder's options.
func promptOptions(cfg *config.Config) prompt.Options {
	p := cfg.Agent.Prompts
	return prompt.Options{
		SoftLimitBytes: p.CodexStdioSoftLimitBytes,
		Guides:         prompt.GuideOptions{Enabled: p.IncludeProjectGuides, Files: p.ProjectGuideFiles},
		Feedback: &prompt.FeedbackDelivery{
			ReviewPolling: cfg.PullRequests.Enabled,
			CIPolling:     cfg.PullRequests.Enabled && cfg.PullRequests.Checks.Enabled,
		},
		Tools:   tools.NamesFor(cfg.Issues.Provider, false, false),
		Tracker: cfg.Issues.Provider,
	}
}

// loadWorkflow parses WORKFLOW.md and its front matter, printing one line per problem.
func loadWorkflow(path string, stderr io.Writer) (*workflow.Workflow, error) {
	wf, err := workflow.Load(path)
	if err == nil {
		_, err = wf.Decode(workflow.DefaultSettings())
	}
	if err != nil {
		return nil, reportProblems(stderr, err, "problem(s)", path)
	}
	return wf, nil
}

func softLimit(o prompt.Options) int {
	if o.SoftLimitBytes > 0 {
		return o.SoftLimitBytes
	}
	return prompt.DefaultSoftLimitBytes
}
