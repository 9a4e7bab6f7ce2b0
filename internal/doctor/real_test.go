package doctor

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/testenv"
)

// TestRealBinaries runs the version probes against the pinned codex and srt and the
// installed git and bwrap, so the detail lines are what operators will see.
func TestRealBinaries(t *testing.T) {
	codex := testenv.Codex(t)
	srt := testenv.SRT(t)
	testenv.Tool(t, "git")
	testenv.Tool(t, "bwrap")
	// Node's start-up alone can take seconds while the rest of the suite runs beside this test.
	defer func(old time.Duration) { probeTimeout = old }(probeTimeout)
	probeTimeout = 15 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tests := []struct {
		name   string
		result Result
		detail string
	}{
		{"codex", checkAgent(ctx, codex+" app-server"), `^codex-cli \d+\.\d+\.\d+ \(`},
		{"srt", checkSRT(ctx, srt), `^srt \d+\.\d+\.\d+ \(`},
		{"git", checkGit(ctx), `^git version \d`},
		{"bwrap", checkBwrap(ctx, true), `^bubblewrap \d+\.\d+\.\d+ \(.*\), sandbox builds$`},
	}
	for _, tt := range tests {
		if tt.result.Status != StatusOK || !regexp.MustCompile(tt.detail).MatchString(tt.result.Detail) {
			t.Errorf("%s: %+v, want ok matching %s", tt.name, tt.result, tt.detail)
		}
	}
}
