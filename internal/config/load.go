// Package config loads and validates the operator's symphony.yml together with every
// repository's WORKFLOW.md, resolves $VAR and path values, reports every problem at once with
// the reference's error codes and file positions, and keeps the last good configuration
// while files are edited under a running service.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/goccy/go-yaml/ast"

	"github.com/symphony-go/symphony/internal/workflow"
	"github.com/symphony-go/symphony/internal/yamlschema"
)

// Error codes for symphony.yml problems (SPEC §5.6).
const (
	CodeMissingFile   = "missing_symphony_file"
	CodeParseError    = "symphony_parse_error"
	CodeNotAMap       = "symphony_file_not_a_map"
	CodeInvalidConfig = "invalid_symphony_config"
)

// Env looks up environment variables; tests pass their own.
type Env func(name string) (string, bool)

// Load reads path (symphony.yml) and every repository workflow it names, using the process
// environment for $VAR values. On failure the error is a yamlschema.Errors listing every
// problem found.
func Load(path string) (*Config, error) {
	return LoadWithEnv(path, os.LookupEnv)
}

// LoadWithEnv is Load with an explicit environment.
func LoadWithEnv(path string, env Env) (*Config, error) {
	cfg, _, err := loadFiles(path, env)
	return cfg, err
}

// loadFiles is LoadWithEnv that also lists the files the attempt read: symphony.yml and every
// repository workflow it names, even when loading failed, so a Store can watch the files
// whose edit would fix it.
func loadFiles(path string, env Env) (*Config, []string, error) {
	abs := absPath(path)
	data, err := os.ReadFile(abs)
	if err != nil {
		msg := err.Error()
		if errors.Is(err, fs.ErrNotExist) {
			msg = "file does not exist (create one with `symphony init`, or pass --config)"
		}
		return nil, []string{abs}, yamlschema.Errors{{Code: CodeMissingFile, Problem: yamlschema.Problem{File: abs, Msg: "cannot read symphony.yml: " + msg}}}
	}
	return parse(abs, data, env)
}

// Parse validates symphony.yml content as if it were stored at path.
func Parse(path string, data []byte, env Env) (*Config, error) {
	cfg, _, err := parse(absPath(path), data, env)
	return cfg, err
}

func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// Check is LoadWithEnv for reporting: when there are problems it still returns the partly
// loaded configuration (nil only when symphony.yml could not be read or parsed at all), with
// every repository whose WORKFLOW.md loaded, so a caller can run its own checks on those and
// report every problem in one pass. The configuration is unsafe to run when err is non-nil.
func Check(path string, env Env) (*Config, error) {
	abs := absPath(path)
	data, err := os.ReadFile(abs)
	if err != nil {
		_, _, lerr := loadFiles(abs, env)
		return nil, lerr
	}
	cfg, _, problems := parsePartial(abs, data, env)
	if len(problems) > 0 {
		return cfg, problems
	}
	return cfg, nil
}

func parse(abs string, data []byte, env Env) (*Config, []string, error) {
	cfg, files, problems := parsePartial(abs, data, env)
	if len(problems) > 0 {
		return nil, files, problems
	}
	return cfg, files, nil
}

// parsePartial validates symphony.yml and loads every repository workflow it could resolve,
// even when symphony.yml itself has problems, so one load reports the problems of every file.
func parsePartial(abs string, data []byte, env Env) (*Config, []string, yamlschema.Errors) {
	files := []string{abs}
	root, problem := yamlschema.Parse(abs, data, 0, CodeParseError)
	if problem != nil {
		return nil, files, yamlschema.Errors{*problem}
	}
	if root != nil {
		switch root.(type) {
		case *ast.MappingNode, *ast.MappingValueNode:
		default:
			line, col := yamlschema.Locate(root, "")
			return nil, files, yamlschema.Errors{{Code: CodeNotAMap, Problem: yamlschema.Problem{
				File: abs, Line: line, Col: col, Msg: "symphony.yml must be a YAML mapping of sections (issues, repositories, agent, ...)"}}}
		}
	}
	cfg := Defaults()
	cfg.Path, cfg.Dir = abs, filepath.Dir(abs)
	l := &loader{cfg: &cfg, root: root, file: abs, env: env}
	l.problems = append(l.problems, yamlschema.WithCode(CodeInvalidConfig, yamlschema.Decode(abs, root, &cfg))...)
	l.resolve()
	l.normalize()
	l.validate()
	l.loadWorkflows()
	return &cfg, cfg.files(), l.problems
}

// files lists symphony.yml and every repository workflow path that resolved.
func (c *Config) files() []string {
	out := []string{c.Path}
	for _, r := range c.Repositories {
		if r.WorkflowPath != "" {
			out = append(out, r.WorkflowPath)
		}
	}
	return out
}

// loader carries one load's state and collects its problems.
type loader struct {
	cfg      *Config
	root     ast.Node
	file     string
	env      Env
	problems yamlschema.Errors
}

// bad records an invalid_symphony_config problem at a key path, located in the file.
func (l *loader) bad(path, msg string) {
	line, col := yamlschema.Locate(l.root, path)
	l.problems = append(l.problems, yamlschema.Coded{Code: CodeInvalidConfig, Problem: yamlschema.Problem{
		File: l.file, Line: line, Col: col, Path: path, Msg: msg}})
}

// has reports whether the operator spelled out a key path.
func (l *loader) has(path string) bool { return yamlschema.Has(l.root, path) }

func (l *loader) loadWorkflows() {
	for i := range l.cfg.Repositories {
		repo := &l.cfg.Repositories[i]
		if repo.WorkflowPath == "" {
			l.bad(fmt.Sprintf("repositories[%d].workflow", i), "must name the repository's WORKFLOW.md (default WORKFLOW.md)")
			continue
		}
		w, err := workflow.Load(repo.WorkflowPath)
		if err != nil {
			l.addWorkflowErr(err)
			continue
		}
		settings, err := w.Decode(l.operatorSettings())
		if err != nil {
			l.addWorkflowErr(err)
			continue
		}
		repo.Loaded, repo.Settings = w, settings
	}
}

// operatorSettings are the WORKFLOW.md-level settings symphony.yml gives every repository.
func (l *loader) operatorSettings() workflow.Settings {
	s := workflow.DefaultSettings()
	s.Verification = l.cfg.Verification
	return s
}

func (l *loader) addWorkflowErr(err error) {
	var errs yamlschema.Errors
	if errors.As(err, &errs) {
		l.problems = append(l.problems, errs...)
		return
	}
	l.problems = append(l.problems, yamlschema.Coded{Code: workflow.CodeParseError, Problem: yamlschema.Problem{Msg: err.Error()}})
}
