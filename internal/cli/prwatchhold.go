package cli

import (
	"context"
	"log/slog"
)

// prwatchHoldEnv names a write-ahead step of the pull-request pollers (for example
// rework_transition_pending or ci_fix_tracker_updated) at which they stop and wait until the
// service ends. Only the crash tests set it: they SIGKILL the service while it waits there,
// then restart it and check the transition completes exactly once. It is read once at start.
const prwatchHoldEnv = "SYMPHONY_TEST_PRWATCH_HOLD_AFTER"

// prwatchHold returns the pollers' AfterStep hook for the step named in the environment, or
// nil when none is named.
func prwatchHold(getenv func(string) string, logger *slog.Logger) func(context.Context, string) {
	at := getenv(prwatchHoldEnv)
	if at == "" {
		return nil
	}
	logger.Warn("pull-request pollers will stop after a write-ahead step, for a crash test", "env", prwatchHoldEnv, "step", at)
	return func(ctx context.Context, step string) {
		if step != at {
			return
		}
		logger.Warn("pull-request poller holding after a write-ahead step until the service ends", "step", step)
		<-ctx.Done()
	}
}
