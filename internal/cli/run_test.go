package cli

import (
	"testing"

	"github.com/symphony-go/symphony/internal/orchestrator"
)

func TestRunExitCodes(t *testing.T) {
	for o, want := range map[orchestrator.Outcome]int{
		orchestrator.OutcomeSuccess: 0, orchestrator.OutcomeFailed: 1, orchestrator.OutcomeTimeout: 124,
	} {
		if got := runExitCode(o); got != want {
			t.Errorf("%s: exit %d, want %d", o, got, want)
		}
	}
}
