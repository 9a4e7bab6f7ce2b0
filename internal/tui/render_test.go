package tui

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/symphony-go/symphony/internal/server"
)

var update = flag.Bool("update", false, "rewrite the golden files from the current rendering")

var at = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

func idleState() server.State {
	return server.State{GeneratedAt: at, MaxAgents: 10, Repos: []string{}, DispatchState: server.DispatchState{Active: true}}
}

// busyState has ten running attempts, one of them being stopped, with Codex rate limits.
func busyState() server.State {
	st := idleState()
	st.Repos = []string{"api", "web"}
	for i := range 10 {
		r := server.RunningJSON{RepoKey: []string{"api", "web"}[i%2], IssueIdentifier: fmt.Sprintf("ENG-%d", 101+i), State: "In Progress",
			PID: 4242 + i, SessionID: fmt.Sprintf("thread-%010d", 1234567890+i), TurnCount: i + 1,
			StartedAt: at.Add(-time.Duration(i*97+5) * time.Second), LastEvent: "notification",
			LastMessage: fmt.Sprintf("running go test\n./internal/pkg%d/...", i), Tokens: server.Tokens{TotalTokens: int64(12045 * (i + 1))}}
		if i == 3 {
			r.StopRequested = "operator"
		}
		if i == 7 {
			r.IssueIdentifier, r.State, r.LastEvent, r.LastMessage = "PLATFORM-10007", "Needs a very long review state", "turn_completed", ""
		}
		st.Running = append(st.Running, r)
	}
	st.Counts.Running = len(st.Running)
	st.Totals = server.Totals{Tokens: server.Tokens{UncachedInputTokens: 250000, CachedInputTokens: 1200000, OutputTokens: 18500, TotalTokens: 1468500},
		SecondsRunning: 72*60 + 1}
	st.Budget = server.BudgetJSON{DailyLimit: 10000000, DailyUsed: 1468500, DailyRemaining: ptr(int64(8531500))}
	st.RateLimits = json.RawMessage(fmt.Sprintf(`{"limitId":"codex","primary":{"usedPercent":62,"windowDurationMins":300,"resetsAt":%d},
		"secondary":{"usedPercent":45,"windowDurationMins":10080,"resetsAt":%d},"credits":{"hasCredits":true,"unlimited":false,"balance":"9876.50"}}`,
		at.Add(30*time.Minute).Unix(), at.Add(50*time.Hour).Unix()))
	st.Watching = []server.WatchingJSON{{IssueIdentifier: "ENG-90", State: "In Review", LastRanAt: at.Add(-2 * time.Hour), URL: "https://linear.app/acme/issue/ENG-90"}}
	st.Counts.Watching = 1
	return st
}

func backoffState() server.State {
	st := idleState()
	st.Repos = []string{"api"}
	st.Retrying = []server.RetryJSON{
		{IssueIdentifier: "ENG-450", Attempt: 4, DueAt: at.Add(80 * time.Second), Error: "worker exited:\nturn_timeout after 3600s"},
		{IssueIdentifier: "ENG-451", Attempt: 1, DueAt: at.Add(time.Second), Continuation: true},
	}
	st.Queued = []server.QueuedJSON{{IssueIdentifier: "ENG-460", State: "Todo", Attempt: 0, WaitReason: "no_worker_capacity"}}
	st.WorkerHosts = []server.HostJSON{{Host: "build-1", Healthy: true, Running: 1, Capacity: 1},
		{Host: "[::1]:2222", Capacity: 1, LastError: "ssh: connect to host ::1 port 2222: Connection refused", NextProbeAt: ptr(at.Add(40 * time.Second))}}
	st.Conflicts = []server.ConflictJSON{{IssueIdentifier: "ENG-470", RepoKeys: []string{"api", "web"}}}
	st.Counts = server.Counts{Retrying: 2, Queued: 1, Conflicts: 1}
	st.RateLimits = json.RawMessage(`{"limitId":"codex","primary":{"usedPercent":100},"credits":{"hasCredits":true,"unlimited":true}}`)
	st.LastPollError = "linear: HTTP 503 Service Unavailable"
	return st
}

func pausedState() server.State {
	st := idleState()
	st.DispatchState = server.DispatchState{Blockers: []server.BlockerJSON{
		{Kind: "manual", Message: "paused by operator: deploy <script>"},
		{Kind: "budget", Message: "daily token budget of 1,000,000 used up"},
	}}
	st.Pause = server.PauseJSON{Paused: true, Reason: "deploy <script>"}
	st.Held = []server.HeldJSON{{IssueIdentifier: "ENG-7", Reason: "stopped by operator"}}
	st.Counts.Held = 1
	st.AwaitingInput = []server.AwaitingJSON{{IssueIdentifier: "ENG-8", Question: "Which port\nshould it use?", AskedAt: at.Add(-20 * time.Minute)}}
	st.AwaitingClarification = []server.GateJSON{{IssueIdentifier: "ENG-9", Score: 4, Reason: "No target latency."}}
	st.Skipped = []server.GateJSON{{IssueIdentifier: "ENG-10", Score: 2, Reason: "Nothing to do."}}
	st.Budget = server.BudgetJSON{DailyLimit: 1000000, DailyUsed: 1000250, DailyRemaining: ptr(int64(0)), DailyPaused: true}
	st.RateLimits = json.RawMessage(`{"model":"claude","remaining":12}`)
	return st
}

func ptr[T any](v T) *T { return &v }

func TestRenderMatchesGoldenFiles(t *testing.T) {
	states := map[string]func() server.State{"idle": idleState, "busy": busyState, "backoff": backoffState, "paused": pausedState}
	for name, state := range states {
		for _, width := range []int{80, 160} {
			t.Run(fmt.Sprintf("%s_%d", name, width), func(t *testing.T) {
				st := state()
				f := Frame{State: &st, Now: at.Add(2 * time.Second), Width: width, Throughput: 1841.6, Link: "live from /tmp/s/control.sock"}
				if name == "idle" {
					f.DashboardURL = "http://127.0.0.1:4000/"
				}
				got := Render(f) + "\n"
				golden := filepath.Join("testdata", fmt.Sprintf("%s_%d.golden", name, width))
				if *update {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if got != string(want) {
					t.Errorf("rendering differs from %s (run with -update after checking the change):\n%s", golden, got)
				}
				for i, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
					if w := ansi.StringWidth(line); w > width {
						t.Errorf("line %d is %d cells wide, more than %d: %q", i+1, w, width, line)
					}
				}
			})
		}
	}
}

func TestRenderColoursOnlyWhenAsked(t *testing.T) {
	st := busyState()
	f := Frame{State: &st, Now: at, Width: 160, Link: "live"}
	plain := Render(f)
	if strings.Contains(plain, "\x1b[") {
		t.Fatalf("the uncoloured view has escape sequences:\n%q", plain)
	}
	f.Color = true
	coloured := Render(f)
	if !strings.Contains(coloured, "\x1b[") {
		t.Fatalf("the coloured view has no escape sequences:\n%s", coloured)
	}
	if got := ansi.Strip(coloured); got != plain {
		t.Errorf("colour changed the text, not just its style:\n%s\nwant\n%s", got, plain)
	}
}

func TestRenderCutsATallViewToTheTerminalHeight(t *testing.T) {
	st := busyState()
	full := strings.Split(Render(Frame{State: &st, Now: at, Width: 160, Link: "live"}), "\n")
	lines := strings.Split(Render(Frame{State: &st, Now: at, Width: 160, Height: 12, Link: "live"}), "\n")
	if len(lines) != 12 {
		t.Fatalf("%d lines for a 12-line terminal:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	wantCut := fmt.Sprintf("│ … %d more lines; enlarge the terminal to see them", len(full)-11)
	if lines[10] != wantCut || lines[11] != full[len(full)-1] || lines[0] != full[0] {
		t.Errorf("cut view ends %q / %q, want %q / %q", lines[10], lines[11], wantCut, full[len(full)-1])
	}
}

func TestRenderBeforeTheFirstState(t *testing.T) {
	got := Render(Frame{Width: 80, Link: "connecting…"})
	want := "╭─ SYMPHONY STATUS\n│ Waiting for the service's state…\n╰─ connecting… · q quits"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestRateLimitLine(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{``, "n/a"},
		{`null`, "n/a"},
		{`{"limitName":"GPT-5 Pro","primary":{"usedPercent":5,"resetsAt":` + fmt.Sprint(at.Add(90*time.Second).Unix()) + `},"credits":{"hasCredits":false,"unlimited":false}}`,
			"GPT-5 Pro | primary 5% used reset 1m 30s | credits none"},
		{`{"secondary":{"usedPercent":7},"credits":{"hasCredits":true,"unlimited":false}}`, "secondary 7% used | credits available"},
		{`{"requests": {"left": 3}}`, `{"requests":{"left":3}}`},
		{`[1, 2]`, `[1,2]`},
	} {
		if got := rateLimitLine(json.RawMessage(tc.raw), at); got != tc.want {
			t.Errorf("rateLimitLine(%s) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}

func TestFormatting(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -45000: "-45,000"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{-time.Second: "0s", 59499 * time.Millisecond: "59s", 785 * time.Second: "13m 5s", 7380 * time.Second: "2h 3m"} {
		if got := span(d); got != want {
			t.Errorf("span(%v) = %q, want %q", d, got, want)
		}
	}
	if got := middle("thread-1234567890", 14); got != "threa...567890" {
		t.Errorf("middle = %q", got)
	}
	if got := middle("short", 14); got != "short" {
		t.Errorf("middle of a short id = %q", got)
	}
}

// BenchmarkRenderBusy draws a 200-agent state at 160 columns on a 50-line terminal, the
// work of one redraw.
func BenchmarkRenderBusy(b *testing.B) {
	st := busyState()
	for i := range 200 {
		r := st.Running[i%10]
		r.IssueIdentifier = fmt.Sprintf("ENG-%d", 1000+i)
		st.Running = append(st.Running, r)
	}
	f := Frame{State: &st, Now: at, Width: 160, Height: 50, Color: true, Link: "live"}
	for b.Loop() {
		Render(f)
	}
}
