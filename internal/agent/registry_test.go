package agent

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/config"
)

type nullSession struct{}

func (nullSession) Start(context.Context) error                         { return nil }
func (nullSession) RunTurn(context.Context, string) (TurnResult, error) { return TurnResult{}, nil }
func (nullSession) Stop(context.Context) error                          { return nil }
func (nullSession) PID() int                                            { return 0 }
func (nullSession) Usage() TokenUsage                                   { return TokenUsage{} }

// forgetAfter removes the runtime name from the global registry when the test ends, so the
// test can run again in the same binary (-count) without registering it twice.
func forgetAfter(t *testing.T, name string) {
	t.Cleanup(func() {
		registryMu.Lock()
		defer registryMu.Unlock()
		delete(registry, name)
	})
}

func TestRegistryLooksUpAndValidatesRuntimes(t *testing.T) {
	forgetAfter(t, "test-runtime")
	Register(Runtime{
		Name: "test-runtime",
		Validate: func(cfg *config.Config) error {
			if cfg.Agent.Command == "" {
				return errors.New("agent.command: required by test-runtime")
			}
			return nil
		},
		NewSession: func(SessionRequest) (Session, error) { return nullSession{}, nil },
	})
	var cfg config.Config
	cfg.Agent.Runtime = "test-runtime"
	if _, err := CheckRuntime(&cfg); err == nil || !strings.Contains(err.Error(), "agent.command") {
		t.Fatalf("CheckRuntime = %v, want the runtime's validation error", err)
	}
	cfg.Agent.Command = "run"
	rt, err := CheckRuntime(&cfg)
	if err != nil || rt.Name != "test-runtime" {
		t.Fatalf("CheckRuntime = %+v, %v", rt, err)
	}
	cfg.Agent.Runtime = "nope"
	if _, err := CheckRuntime(&cfg); err == nil || !strings.Contains(err.Error(), `"nope" has no adapter`) || !strings.Contains(err.Error(), "test-runtime") {
		t.Fatalf("unknown runtime: %v, want an error listing the available ones", err)
	}
}

func TestRegisterRefusesDuplicatesAndMissingConstructors(t *testing.T) {
	forgetAfter(t, "dup-runtime")
	Register(Runtime{Name: "dup-runtime", NewSession: func(SessionRequest) (Session, error) { return nullSession{}, nil }})
	for name, rt := range map[string]Runtime{
		"duplicate":          {Name: "dup-runtime", NewSession: func(SessionRequest) (Session, error) { return nullSession{}, nil }},
		"empty name":         {NewSession: func(SessionRequest) (Session, error) { return nullSession{}, nil }},
		"no session builder": {Name: "no-builder"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Register did not panic", name)
				}
			}()
			Register(rt)
		}()
	}
}
