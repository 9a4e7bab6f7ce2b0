package metrics

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/store"
)

// samples gathers m's registry into name{label="value",...} -> value; a histogram gives its
// _count and _sum.
func samples(t *testing.T, m *Metrics) map[string]float64 {
	t.Helper()
	families, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, s := range f.GetMetric() {
			key := seriesKey(s.GetLabel())
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				out[f.GetName()+key] = s.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out[f.GetName()+key] = s.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				out[f.GetName()+"_count"+key] = float64(s.GetHistogram().GetSampleCount())
				out[f.GetName()+"_sum"+key] = s.GetHistogram().GetSampleSum()
			}
		}
	}
	return out
}

func seriesKey(labels []*dto.LabelPair) string {
	if len(labels) == 0 {
		return ""
	}
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = fmt.Sprintf("%s=%q", l.GetName(), l.GetValue())
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func TestScrapeShowsScriptedActivity(t *testing.T) {
	got := samples(t, scripted(t))
	want := map[string]float64{
		`symphony_running_issues`:                                                       2,
		`symphony_queued_issues`:                                                        1,
		`symphony_retrying_issues{kind="retry"}`:                                        1,
		`symphony_retrying_issues{kind="continuation"}`:                                 2,
		`symphony_watching_issues`:                                                      1,
		`symphony_held_issues`:                                                          2,
		`symphony_conflicting_issues`:                                                   1,
		`symphony_dispatch_paused`:                                                      1,
		`symphony_dispatch_blocked`:                                                     1,
		`symphony_agent_slots`:                                                          4,
		`symphony_daily_tokens`:                                                         700,
		`symphony_daily_token_budget`:                                                   1000,
		`symphony_daily_token_budget_remaining`:                                         300,
		`symphony_issue_token_budget`:                                                   300,
		`symphony_last_poll_timestamp_seconds`:                                          float64(lastPoll.Unix()),
		`symphony_audit_queue_depth`:                                                    3,
		`symphony_store_queue_depth`:                                                    5,
		`symphony_worker_host_healthy{host="alpha"}`:                                    1,
		`symphony_worker_host_healthy{host="[::1]:2222"}`:                               0,
		`symphony_worker_host_running_agents{host="alpha"}`:                             2,
		`symphony_worker_host_running_agents{host="[::1]:2222"}`:                        0,
		`symphony_dispatches_total{repository="app"}`:                                   2,
		`symphony_dispatches_total{repository="api"}`:                                   1,
		`symphony_turn_duration_seconds_count{repository="app"}`:                        2,
		`symphony_turn_duration_seconds_sum{repository="app"}`:                          92,
		`symphony_tokens_total{bucket="uncached_input",repository="app"}`:               100,
		`symphony_tokens_total{bucket="cached_input",repository="app"}`:                 400,
		`symphony_tokens_total{bucket="cache_creation_input",repository="app"}`:         0,
		`symphony_tokens_total{bucket="output",repository="app"}`:                       50,
		`symphony_tokens_total{bucket="cache_creation_input",repository="api"}`:         7,
		`symphony_gross_tokens_total{repository="app"}`:                                 560,
		`symphony_gross_tokens_total{repository="api"}`:                                 7,
		`symphony_cost_usd_total{repository="app"}`:                                     0.75,
		`symphony_cost_usd_total{repository="api"}`:                                     0,
		`symphony_attempts_completed_total{outcome="success",repository="app"}`:         1,
		`symphony_attempts_completed_total{outcome="stalled",repository="app"}`:         1,
		`symphony_attempts_completed_total{outcome="failure",repository="app"}`:         0,
		`symphony_attempts_completed_total{outcome="operator_stop",repository="api"}`:   1,
		`symphony_attempts_completed_total{outcome="stopped",repository="api"}`:         0,
		`symphony_attempt_duration_seconds_count{repository="app"}`:                     2,
		`symphony_attempt_duration_seconds_sum{repository="app"}`:                       320,
		`symphony_attempt_duration_seconds_sum{repository="api"}`:                       60,
		`symphony_polls_total{result="ok"}`:                                             1,
		`symphony_polls_total{result="failed"}`:                                         1,
		`symphony_poll_duration_seconds_count`:                                          2,
		`symphony_poll_duration_seconds_sum`:                                            2.3,
		`symphony_tracker_requests_total{operation="fetch_candidates"}`:                 1,
		`symphony_tracker_request_errors_total{operation="fetch_candidates"}`:           1,
		`symphony_tracker_requests_total{operation="fetch_issue_states_by_ids"}`:        1,
		`symphony_tracker_request_duration_seconds_count{operation="fetch_candidates"}`: 1,
		`symphony_store_write_duration_seconds_count{operation="start_run"}`:            1,
		`symphony_store_write_duration_seconds_count{operation="finish_run"}`:           1,
		`symphony_store_write_errors_total{operation="finish_run"}`:                     1,
	}
	for key, w := range want {
		g, ok := got[key]
		if !ok {
			t.Errorf("%s missing from the scrape", key)
			continue
		}
		if g != w {
			t.Errorf("%s = %v, want %v", key, g, w)
		}
	}
	for _, absent := range []string{
		`symphony_tracker_request_errors_total{operation="fetch_issue_states_by_ids"}`,
		`symphony_store_write_errors_total{operation="start_run"}`,
	} {
		if _, ok := got[absent]; ok {
			t.Errorf("%s is in the scrape though that call succeeded", absent)
		}
	}
}

func TestPollHistogramBuckets(t *testing.T) {
	m := New(Options{})
	m.OnPoll(300*time.Millisecond, false)
	m.OnPoll(2*time.Second, true)
	m.OnPoll(90*time.Second, false)
	const want = `
# HELP symphony_poll_duration_seconds Duration of one poll: reconciliation refresh, disk and preflight checks, candidate fetch.
# TYPE symphony_poll_duration_seconds histogram
symphony_poll_duration_seconds_bucket{le="0.05"} 0
symphony_poll_duration_seconds_bucket{le="0.1"} 0
symphony_poll_duration_seconds_bucket{le="0.25"} 0
symphony_poll_duration_seconds_bucket{le="0.5"} 1
symphony_poll_duration_seconds_bucket{le="1"} 1
symphony_poll_duration_seconds_bucket{le="2.5"} 2
symphony_poll_duration_seconds_bucket{le="5"} 2
symphony_poll_duration_seconds_bucket{le="10"} 2
symphony_poll_duration_seconds_bucket{le="30"} 2
symphony_poll_duration_seconds_bucket{le="60"} 2
symphony_poll_duration_seconds_bucket{le="+Inf"} 3
symphony_poll_duration_seconds_sum 92.3
symphony_poll_duration_seconds_count 3
`
	if err := testutil.GatherAndCompare(m.reg, strings.NewReader(want), "symphony_poll_duration_seconds"); err != nil {
		t.Fatal(err)
	}
	if got := testutil.ToFloat64(m.polls.WithLabelValues(pollFailed)); got != 1 {
		t.Fatalf("failed polls %v, want 1", got)
	}
}

func TestSchedulerGaugesAreAbsentUntilWatchedAndBudgetsOnlyWhenSet(t *testing.T) {
	m := New(Options{})
	for key := range samples(t, m) {
		if strings.HasPrefix(key, "symphony_running_issues") || strings.HasPrefix(key, "symphony_audit_queue_depth") {
			t.Fatalf("%s is exposed before Watch", key)
		}
	}
	m.Watch(&fakeSource{snap: &orchestrator.Snapshot{MaxAgents: 2, DailyTokens: 1500, TokensPerDay: 1000}})
	got := samples(t, m)
	if got["symphony_daily_token_budget_remaining"] != 0 {
		t.Errorf("remaining budget %v with the day over budget, want 0", got["symphony_daily_token_budget_remaining"])
	}
	for _, absent := range []string{"symphony_issue_token_budget", "symphony_last_poll_timestamp_seconds"} {
		if _, ok := got[absent]; ok {
			t.Errorf("%s is exposed though it is not set", absent)
		}
	}
	if got["symphony_dispatch_paused"] != 0 || got["symphony_agent_slots"] != 2 {
		t.Errorf("paused %v slots %v, want 0 and 2", got["symphony_dispatch_paused"], got["symphony_agent_slots"])
	}
}

func TestOutcomeNamesTheStopReasonElseTheStatus(t *testing.T) {
	tests := []struct {
		status store.Status
		reason orchestrator.StopReason
		want   string
	}{
		{store.StatusSuccess, "", "success"},
		{store.StatusFailure, "", "failure"},
		{store.StatusTimeout, "", "timeout"},
		{store.StatusFailure, orchestrator.StopStalled, "stalled"},
		{store.StatusTimeout, orchestrator.StopStuck, "stuck"},
		{store.StatusStopped, orchestrator.StopOperator, "operator_stop"},
		{store.StatusStopped, orchestrator.StopTerminal, "terminal_state"},
		{store.StatusStopped, orchestrator.StopInactive, "inactive_state"},
		{store.StatusBudgetExhausted, orchestrator.StopBudget, "budget_exhausted"},
		{store.StatusInterrupted, orchestrator.StopShutdown, "shutdown"},
		{store.StatusFailure, "a_reason_from_a_later_build", "failure"},
		{"a_status_from_a_later_build", "", "other"},
	}
	for _, tt := range tests {
		if got := outcome(tt.status, tt.reason); got != tt.want {
			t.Errorf("outcome(%q, %q) = %q, want %q", tt.status, tt.reason, got, tt.want)
		}
	}
}

func TestLabelCardinalityIsBounded(t *testing.T) {
	m := New(Options{Repositories: []string{"app"}})
	for i := range 3 * maxRepositories {
		repo := fmt.Sprintf("repo-%d", i)
		m.OnDispatch(repo)
		m.OnTurn(repo, time.Second)
		m.OnTokens(repo, agent.TokenUsage{Output: 1, Total: 1})
		m.OnCost(repo, 0.01)
		m.OnExit(repo, store.Status(fmt.Sprintf("status-%d", i)), orchestrator.StopReason(fmt.Sprintf("reason-%d", i)), time.Second)
	}
	families, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	repos := maxRepositories + 1 // the cap plus _other
	limits := map[string]int{
		"symphony_dispatches_total":         repos,
		"symphony_gross_tokens_total":       repos,
		"symphony_cost_usd_total":           repos,
		"symphony_turn_duration_seconds":    repos,
		"symphony_attempt_duration_seconds": repos,
		"symphony_tokens_total":             repos * len(tokenBuckets),
		"symphony_attempts_completed_total": repos * len(outcomes),
	}
	for _, f := range families {
		limit, ok := limits[f.GetName()]
		if !ok {
			continue
		}
		if n := len(f.GetMetric()); n > limit {
			t.Errorf("%s has %d series, more than %d", f.GetName(), n, limit)
		}
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "outcome" && !slices.Contains(outcomes, l.GetValue()) {
					t.Errorf("%s has outcome %q outside the fixed list", f.GetName(), l.GetValue())
				}
			}
		}
	}
	got := samples(t, m)
	if n := got[`symphony_dispatches_total{repository="_other"}`]; n != float64(3*maxRepositories-(maxRepositories-1)) {
		t.Errorf("_other counted %v dispatches, want every one past the cap", n)
	}
	if got[`symphony_dispatches_total{repository="app"}`] != 0 {
		t.Errorf("the configured repository lost its zero series")
	}
}
