package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/agent/codex/codexfake"
	"github.com/symphony-go/symphony/internal/store"
)

// symphony run against codextest's fake app-server, which names its model gpt-fake and
// reports 120 more tokens each turn (90 uncached input, 10 cached input, 20 output): at
// $2500, $500 and $1000 per million each turn costs exactly $0.25, so two turns cost $0.50.
func TestRunCostsThePriceTableTimesTheFakeCodexUsage(t *testing.T) {
	e := newControlEnv(t, "CST-1")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf("#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'codex-cli 0.169.0'; exit 0; fi\n%s=%s exec %q\n",
		codexfake.EnvScenario, codexfake.FakeComplete, self)
	if err := os.WriteFile(filepath.Join(e.dir, "fake-codex"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	priced := strings.Replace(string(cfg), "  limits: {max_turns: 3}\n",
		"  limits: {max_turns: 2}\n  pricing:\n    "+codexfake.FakeModel+": {input: 2500, cached_input: 500, output: 1000}\n", 1)
	if priced == string(cfg) {
		t.Fatal("the control config no longer has the limits line this test prices after")
	}
	if err := os.WriteFile(e.config, []byte(priced), 0o644); err != nil {
		t.Fatal(err)
	}

	code, out := e.ctl(t, "run", "CST-1")
	if code != ExitOK || !strings.Contains(out, "240 tokens, $0.50") {
		t.Fatalf("symphony run exit %d, want 240 tokens costing $0.50:\n%s", code, out)
	}
	code, out = e.ctl(t, "runs", "--json")
	var runs []store.Run
	if err := json.Unmarshal([]byte(out), &runs); err != nil || code != ExitOK {
		t.Fatalf("symphony runs --json exit %d, %v:\n%s", code, err, out)
	}
	if len(runs) != 1 || runs[0].CostUSD != 0.5 || runs[0].Tokens.Total != 240 {
		t.Fatalf("runs %+v; want one of 240 tokens costing $0.50", runs)
	}
}
