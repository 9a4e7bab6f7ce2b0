package workflow

import (
	"fmt"
	"strings"
	"syscall"

	"github.com/goccy/go-yaml/ast"

	"github.com/symphony-go/symphony/internal/yamlschema"
)

// Settings are the values a repository's WORKFLOW.md may set over the operator's config.
type Settings struct {
	Hooks        Hooks
	Verification Verification
	// Validation lists repo-declared validation commands, surfaced to prompts.
	Validation []string
}

// Hooks are the workspace lifecycle scripts (SPEC §5.4.8).
type Hooks struct {
	AfterCreate  string `yaml:"after_create"`
	BeforeRun    string `yaml:"before_run"`
	AfterRun     string `yaml:"after_run"`
	BeforeRemove string `yaml:"before_remove"`
	TimeoutMs    int    `yaml:"timeout_ms"`
}

// Verification is the opt-in dev-server orchestration (SPEC §5.4.5).
type Verification struct {
	Enabled        bool           `yaml:"enabled"`
	PortAllocation PortAllocation `yaml:"port_allocation"`
	DevServer      DevServer      `yaml:"dev_server"`
}

// PortAllocation is the inclusive port range verification draws from.
type PortAllocation struct {
	Range []int `yaml:"range"`
}

// DevServer describes the long-lived dev server a verification run starts.
type DevServer struct {
	StartCmd        string `yaml:"start_cmd"`
	HealthCheckURL  string `yaml:"health_check_url"`
	HealthTimeoutMs int    `yaml:"health_timeout_ms"`
	StopSignal      string `yaml:"stop_signal"`
	StopTimeoutMs   int    `yaml:"stop_timeout_ms"`
}

// DefaultSettings returns the reference defaults for everything a WORKFLOW.md can set.
func DefaultSettings() Settings {
	return Settings{
		Hooks: Hooks{TimeoutMs: 60000},
		Verification: Verification{
			PortAllocation: PortAllocation{Range: []int{4000, 4099}},
			DevServer:      DevServer{HealthTimeoutMs: 30000, StopSignal: "TERM", StopTimeoutMs: 10000},
		},
	}
}

func (s Settings) clone() Settings {
	c := s
	c.Verification.PortAllocation.Range = append([]int(nil), s.Verification.PortAllocation.Range...)
	c.Validation = append([]string(nil), s.Validation...)
	return c
}

// frontMatter is the schema of WORKFLOW.md's YAML block.
type frontMatter struct {
	Hooks        Hooks        `yaml:"hooks"`
	Prompts      prompts      `yaml:"prompts"`
	Verification Verification `yaml:"verification"`
	Validation   []string     `yaml:"validation"`
}

func (*frontMatter) UnknownKeyAdvice() string {
	return "WORKFLOW.md front matter accepts only hooks, prompts, verification and validation; move operator settings to symphony.yml"
}

type prompts struct {
	Issue *promptText `yaml:"issue"`
	PR    *promptText `yaml:"pr"`
	// IncludeLearnings is how many of the repository's stored learnings the first prompt
	// carries; 0 (the default) leaves them out.
	IncludeLearnings int `yaml:"include_learnings"`
}

// MaxPromptLearnings bounds prompts.include_learnings: the block stays a small part of the
// prompt whatever a repository stores.
const MaxPromptLearnings = 20

func (p prompts) validate(file string) []yamlschema.Problem {
	if p.IncludeLearnings < 0 || p.IncludeLearnings > MaxPromptLearnings {
		return []yamlschema.Problem{{File: file, Path: "prompts.include_learnings",
			Msg: fmt.Sprintf("must be between 0 and %d rules, got %d", MaxPromptLearnings, p.IncludeLearnings)}}
	}
	return nil
}

// promptText is a prompt template that remembers the file line its text starts on.
type promptText struct {
	text string
	line int
}

// DecodeYAML implements yamlschema.Unmarshaler so the prompt keeps its file line.
func (p *promptText) DecodeYAML(n ast.Node) (string, bool) {
	var s string
	switch t := n.(type) {
	case *ast.StringNode:
		s = t.Value
		p.line = t.GetToken().Position.Line
	case *ast.LiteralNode:
		s = t.Value.Value
		// A block scalar's text starts on the line after its `|` indicator.
		p.line = t.GetToken().Position.Line + 1
	default:
		return "must be a string", false
	}
	p.text = s
	return "", true
}

// validate checks Settings values; key paths read the same in WORKFLOW.md and symphony.yml.
func (s Settings) validate(file string) []yamlschema.Problem {
	var out []yamlschema.Problem
	bad := func(key, format string, args ...any) {
		out = append(out, yamlschema.Problem{File: file, Path: key, Msg: fmt.Sprintf(format, args...)})
	}
	if s.Hooks.TimeoutMs <= 0 {
		bad("hooks.timeout_ms", "must be a positive number of milliseconds, got %d", s.Hooks.TimeoutMs)
	}
	v := s.Verification
	if r := v.PortAllocation.Range; len(r) != 2 {
		bad("verification.port_allocation.range", "must be two ports [first, last], got %d values", len(r))
	} else if r[0] < 1 || r[1] > 65535 || r[0] > r[1] {
		bad("verification.port_allocation.range", "must be an inclusive range of ports 1-65535 with first <= last, got [%d, %d]", r[0], r[1])
	}
	if strings.TrimSpace(v.DevServer.StartCmd) != "" && strings.TrimSpace(v.DevServer.HealthCheckURL) == "" {
		bad("verification.dev_server.health_check_url", "is required when verification.dev_server.start_cmd is set")
	}
	if v.DevServer.HealthTimeoutMs <= 0 {
		bad("verification.dev_server.health_timeout_ms", "must be a positive number of milliseconds")
	}
	if v.DevServer.StopTimeoutMs <= 0 {
		bad("verification.dev_server.stop_timeout_ms", "must be a positive number of milliseconds")
	}
	if _, ok := SignalByName(v.DevServer.StopSignal); !ok {
		bad("verification.dev_server.stop_signal", "unknown signal %q (use a name such as TERM, INT, KILL)", v.DevServer.StopSignal)
	}
	for i, cmd := range s.Validation {
		if strings.TrimSpace(cmd) == "" {
			bad(fmt.Sprintf("validation[%d]", i), "must not be blank")
		}
	}
	return out
}

// ValidateOperator checks operator-level settings from symphony.yml.
func (s Settings) ValidateOperator(file string) []yamlschema.Problem {
	return s.validate(file)
}

var signals = map[string]syscall.Signal{
	"TERM": syscall.SIGTERM, "INT": syscall.SIGINT, "KILL": syscall.SIGKILL, "HUP": syscall.SIGHUP,
	"QUIT": syscall.SIGQUIT, "USR1": syscall.SIGUSR1, "USR2": syscall.SIGUSR2,
}

// SignalByName maps "TERM" or "SIGTERM" to its signal.
func SignalByName(name string) (syscall.Signal, bool) {
	s, ok := signals[strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(name)), "SIG")]
	return s, ok
}
