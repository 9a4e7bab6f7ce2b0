package orchestrator

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestConfigurationDocStatesWhatACrashLosesOfTokenUsage fails when docs/configuration.md's
// account of the store's token usage (how often it is written, so what a crash can lose)
// drifts from usageWriteInterval.
func TestConfigurationDocStatesWhatACrashLosesOfTokenUsage(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, claim := range []string{`store's copy[^.]*is written at most\s+every (\d+) ms`, `crash of the service can therefore lose the usage\s+agents reported in its last (\d+) ms`} {
		m := regexp.MustCompile(claim).FindSubmatch(doc)
		if m == nil {
			t.Errorf("docs/configuration.md no longer says %q", claim)
			continue
		}
		ms, _ := strconv.Atoi(string(m[1]))
		if got := time.Duration(ms) * time.Millisecond; got != usageWriteInterval {
			t.Errorf("docs/configuration.md says %v; the recorder writes usage at most every %v", got, usageWriteInterval)
		}
	}
}
