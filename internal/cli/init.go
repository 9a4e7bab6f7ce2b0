package cli

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/spf13/cobra"
)

//go:embed templates
var templates embed.FS

func newInitCmd(g *Globals) *cobra.Command {
	var force, local bool
	var dir, trackerName string
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented symphony.yml (and, with --local, a sample issue and WORKFLOW.md)",
		Long: "Writes a commented, deterministic symphony.yml at --config, or at DIR/symphony.yml with\n" +
			"--dir DIR (the directory is created). With --local it uses the local file tracker and also\n" +
			"writes WORKFLOW.md and issues/DEMO-1.md beside it, so Symphony runs with no tracker\n" +
			"account. --tracker github, gitlab or jira writes that tracker's issues section instead of\n" +
			"Linear's. Existing files are left alone unless --force is given.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			configPath := g.ConfigPath
			if dir != "" {
				if cmd.Flags().Changed("config") {
					return usageErr(errors.New("init: pass --dir or --config, not both"))
				}
				configPath = filepath.Join(dir, "symphony.yml")
			}
			path, err := filepath.Abs(configPath)
			if err != nil {
				return usageErr(err)
			}
			dir := filepath.Dir(path)
			if !slices.Contains(initTrackers, trackerName) {
				return usageErr(fmt.Errorf("init: --tracker must be one of %s, got %q", strings.Join(initTrackers, ", "), trackerName))
			}
			if local && cmd.Flags().Changed("tracker") {
				return usageErr(errors.New("init: pass --local or --tracker, not both"))
			}
			files := []initFile{{path, "templates/symphony.yml"}}
			if local {
				files = []initFile{
					{path, "templates/symphony.local.yml"},
					{filepath.Join(dir, "WORKFLOW.md"), "templates/WORKFLOW.md"},
					{filepath.Join(dir, "issues", "DEMO-1.md"), "templates/DEMO-1.md"},
				}
			}
			if !force {
				for _, f := range files {
					if _, err := os.Stat(f.dest); err == nil {
						return usageErr(fmt.Errorf("%s already exists; pass --force to overwrite it", f.dest))
					}
				}
			}
			repoKey := sanitizeRepoKey(filepath.Base(dir))
			for _, f := range files {
				if err := writeTemplate(f, repoKey, dir, trackerName); err != nil {
					return failure(err)
				}
				fmt.Fprintln(cmd.OutOrStdout(), "wrote", f.dest)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "next: symphony config check --config %s\n", path)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite existing files")
	cmd.Flags().BoolVar(&local, "local", false, "use the local file tracker and write a sample issue")
	cmd.Flags().StringVar(&dir, "dir", "", "write into this directory (created if missing) instead of beside --config")
	cmd.Flags().StringVar(&trackerName, "tracker", "linear", "the tracker the issues section is written for: "+strings.Join(initTrackers, ", "))
	return cmd
}

type initFile struct{ dest, template string }

// initTrackers are the trackers init has an issues section for (templates/issues.NAME.yml).
var initTrackers = []string{"linear", "github", "gitlab", "jira"}

func writeTemplate(f initFile, repoKey, repoPath, trackerName string) error {
	body, err := fs.ReadFile(templates, f.template)
	if err != nil {
		return err
	}
	issues, err := fs.ReadFile(templates, "templates/issues."+trackerName+".yml")
	if err != nil {
		return err
	}
	text := strings.NewReplacer("{{ISSUES}}", string(issues), "{{REPO_KEY}}", yamlString(repoKey), "{{REPO_PATH}}", repoPath).Replace(string(body))
	if err := os.MkdirAll(filepath.Dir(f.dest), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.dest), ".symphony-init-*")
	if err != nil {
		return err
	}
	// Whatever fails, the temp file does not stay behind (once renamed it is already gone).
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(text)
	if err := errors.Join(werr, tmp.Close()); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), f.dest)
}

var repoKeyChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// sanitizeRepoKey turns a directory name into a repository key of safe characters.
func sanitizeRepoKey(name string) string {
	key := strings.Trim(repoKeyChars.ReplaceAllString(name, "-"), "-.")
	if key == "" {
		return "my-repo"
	}
	return key
}

// yamlString spells s so YAML reads it back as that string: a key such as 001 or true would
// otherwise load as a number or a boolean.
func yamlString(s string) string {
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err == nil {
		if got, ok := v.(string); ok && got == s {
			return s
		}
	}
	return strconv.Quote(s)
}
