package tui

import (
	"fmt"
	"image/color"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/symphony-go/symphony/internal/server"
)

// Frame is everything one drawing of the view depends on.
type Frame struct {
	// State is the latest state document; nil until the first one arrives.
	State *server.State
	// Now is the time ages and due times are measured to.
	Now time.Time
	// Width and Height are the terminal's size in cells; a Height of 0 means no limit.
	Width, Height int
	// Throughput is tokens per second over the recent past (see Throughput).
	Throughput float64
	// DashboardURL is shown when the service has a dashboard listener.
	DashboardURL string
	// Link says how the view is connected to the service, or why it is not.
	Link string
	// Color turns on styling; off when NO_COLOR is set, so the view is plain text.
	Color bool
}

// Widths below which columns are dropped from the running table.
const (
	minWidth        = 20
	pidColumnsWidth = 120
)

// palette styles the view; the zero palette (no colour) leaves text untouched.
type palette struct {
	on bool
}

func (p palette) paint(c color.Color, bold bool, s string) string {
	if !p.on {
		return s
	}
	return lipgloss.NewStyle().Foreground(c).Bold(bold).Render(s)
}

func (p palette) title(s string) string { return p.paint(lipgloss.Color("6"), true, s) }
func (p palette) good(s string) string  { return p.paint(lipgloss.Color("2"), false, s) }
func (p palette) warn(s string) string  { return p.paint(lipgloss.Color("3"), false, s) }
func (p palette) bad(s string) string   { return p.paint(lipgloss.Color("1"), true, s) }
func (p palette) dim(s string) string   { return p.paint(lipgloss.Color("8"), false, s) }

// Render draws the view. Every line fits in f.Width cells (long ones end in "…"), and when
// the view is taller than f.Height the bottom is replaced by a line saying how much is cut.
func Render(f Frame) string {
	width := max(f.Width, minWidth)
	v := view{p: palette{on: f.Color}}
	v.add(v.p.title("╭─ SYMPHONY STATUS"))
	if f.State == nil {
		v.row(v.p.warn("Waiting for the service's state…"))
	} else {
		v.header(f)
		v.running(f.State, f.Now, width)
		v.hosts(f.State, f.Now)
		v.backoff(f.State, f.Now)
		v.queued(f.State)
		v.held(f.State)
		v.waiting(f.State, f.Now)
		v.watching(f.State, f.Now)
		v.conflicts(f.State)
	}
	v.add("╰─ " + v.p.dim(f.Link+" · q quits"))
	return v.finish(width, f.Height)
}

// view collects the lines of one drawing.
type view struct {
	p     palette
	lines []string
}

func (v *view) add(line string) { v.lines = append(v.lines, line) }

func (v *view) row(text string) { v.add("│ " + text) }

func (v *view) section(title, note string) {
	line := "├─ " + v.p.title(title)
	if note != "" {
		line += "   " + note
	}
	v.add(line)
}

func (v *view) header(f Frame) {
	st := f.State
	if st.DispatchState.Active {
		v.row("Dispatch: " + v.p.good("active"))
	} else {
		v.row("Dispatch: " + v.p.bad("held"))
		for _, b := range st.DispatchState.Blockers {
			v.row("  " + v.p.warn("⏸ "+b.Kind) + ": " + flat(b.Message))
		}
	}
	v.row(fmt.Sprintf("Agents: %d/%d", st.Counts.Running, st.MaxAgents))
	v.row(fmt.Sprintf("Throughput: %s tps", Thousands(int64(f.Throughput+0.5))))
	v.row("Runtime: " + span(time.Duration(st.Totals.SecondsRunning*float64(time.Second))))
	t := st.Totals
	v.row(fmt.Sprintf("Tokens: new %s | cached %s | created %s | out %s | total %s", Thousands(t.UncachedInputTokens),
		Thousands(t.CachedInputTokens), Thousands(t.CacheCreationInputTokens), Thousands(t.OutputTokens), Thousands(t.TotalTokens)))
	budget := "Budget: today " + Thousands(st.Budget.DailyUsed)
	if st.Budget.DailyLimit > 0 {
		budget += " of " + Thousands(st.Budget.DailyLimit)
		if st.Budget.DailyRemaining != nil {
			budget += fmt.Sprintf(" (%s left)", Thousands(*st.Budget.DailyRemaining))
		}
	} else {
		budget += " (no daily limit)"
	}
	v.row(budget)
	v.row("Rate Limits: " + rateLimitLine(st.RateLimits, f.Now))
	repos := "n/a"
	if len(st.Repos) > 0 {
		repos = strings.Join(st.Repos, ", ")
	}
	v.row("Repos: " + repos)
	if f.DashboardURL != "" {
		v.row("Dashboard: " + f.DashboardURL)
	}
	if st.LastPollError != "" {
		v.row(v.p.bad("Last poll failed: ") + flat(st.LastPollError))
	}
}

// column is one column of the running table.
type column struct {
	title string
	width int
	right bool
	cell  func(r server.RunningJSON) string
}

func (v *view) running(st *server.State, now time.Time, width int) {
	v.section("Running", "")
	if len(st.Running) == 0 {
		v.row(v.p.dim("  no agents running"))
		return
	}
	idWidth := len("ID")
	for _, r := range st.Running {
		idWidth = max(idWidth, ansi.StringWidth(r.IssueIdentifier))
	}
	cols := []column{
		{title: "ID", width: min(idWidth, 16), cell: func(r server.RunningJSON) string { return r.IssueIdentifier }},
		{title: "STATE", width: 14, cell: func(r server.RunningJSON) string { return flat(r.State) }},
		{title: "PID", width: 8, cell: func(r server.RunningJSON) string {
			if r.PID == 0 {
				return "-"
			}
			return fmt.Sprint(r.PID)
		}},
		{title: "AGE / TURN", width: 14, cell: func(r server.RunningJSON) string {
			return fmt.Sprintf("%s / %d", span(now.Sub(r.StartedAt)), r.TurnCount)
		}},
		{title: "TOKENS", width: 11, right: true, cell: func(r server.RunningJSON) string { return Thousands(r.Tokens.TotalTokens) }},
		{title: "SESSION", width: 14, cell: func(r server.RunningJSON) string { return middle(r.SessionID, 14) }},
	}
	if width < pidColumnsWidth {
		// PID and session matter least to a person watching; narrow terminals keep the event.
		cols = []column{cols[0], cols[1], cols[3], cols[4]}
	}
	line := func(marker string, cell func(c column) string, last string) string {
		var b strings.Builder
		b.WriteString(marker)
		for _, c := range cols {
			b.WriteString(pad(cell(c), c.width, c.right))
			b.WriteByte(' ')
		}
		return b.String() + last
	}
	v.row(v.p.dim(line("  ", func(c column) string { return c.title }, "EVENT")))
	for _, r := range st.Running {
		marker, event := v.p.good("● "), flat(r.LastEvent)
		if r.LastMessage != "" {
			event += ": " + flat(r.LastMessage)
		}
		if r.StopRequested != "" {
			marker, event = v.p.warn("■ "), "stopping ("+flat(r.StopRequested)+")"
		}
		v.row(line(marker, func(c column) string { return c.cell(r) }, event))
	}
}

// pad fits s into exactly n cells, cutting it with "…" when longer.
func pad(s string, n int, right bool) string {
	s = ansi.Truncate(s, n, "…")
	gap := strings.Repeat(" ", n-ansi.StringWidth(s))
	if right {
		return gap + s
	}
	return s + gap
}

func (v *view) backoff(st *server.State, now time.Time) {
	if len(st.Retrying) == 0 {
		v.section("Backoff queue", v.p.dim("none"))
		return
	}
	v.section("Backoff queue", "")
	for _, r := range st.Retrying {
		why := "error=" + flat(r.Error)
		if r.Continuation {
			why = "continuation"
		}
		v.row(fmt.Sprintf("%s %s attempt=%d in %s %s", v.p.warn("↻"), r.IssueIdentifier, r.Attempt, span(r.DueAt.Sub(now)), why))
	}
}

func (v *view) queued(st *server.State) {
	if len(st.Queued) == 0 {
		return
	}
	v.section("Queued", v.p.dim("(waiting for a free agent)"))
	for _, q := range st.Queued {
		line := fmt.Sprintf("  %s  %s  attempt=%d", q.IssueIdentifier, flat(q.State), q.Attempt)
		if q.WaitReason != "" {
			line += "  " + v.p.warn("waiting="+q.WaitReason)
		}
		v.row(line)
	}
}

// hosts lists the SSH worker hosts' load and health; nothing without worker hosts.
func (v *view) hosts(st *server.State, now time.Time) {
	if len(st.WorkerHosts) == 0 {
		return
	}
	v.section("Worker hosts", v.p.dim("(HOST, RUNNING, HEALTH)"))
	for _, h := range st.WorkerHosts {
		load := fmt.Sprintf("%d", h.Running)
		if h.Capacity > 0 {
			load = fmt.Sprintf("%d/%d", h.Running, h.Capacity)
		}
		health := v.p.good("healthy")
		if !h.Healthy {
			health = v.p.bad("unhealthy")
			if h.NextProbeAt != nil {
				health += fmt.Sprintf(" probe in %s", span(h.NextProbeAt.Sub(now)))
			}
			if h.LastError != "" {
				health += " " + flat(h.LastError)
			}
		}
		v.row(fmt.Sprintf("  %s  %s  %s", h.Host, load, health))
	}
}

func (v *view) held(st *server.State) {
	if len(st.Held) == 0 {
		return
	}
	v.section("Held", "")
	for _, h := range st.Held {
		v.row(fmt.Sprintf("%s %s  %s", v.p.warn("⏸"), h.IssueIdentifier, flat(h.Reason)))
	}
}

// waiting lists the issues held for a person: an agent's question awaiting its answer, and
// candidates the issue gate asked to clarify or skipped.
func (v *view) waiting(st *server.State, now time.Time) {
	if len(st.AwaitingInput) > 0 {
		v.section("Awaiting input", v.p.dim("(ID, ASKED, QUESTION)"))
		for _, a := range st.AwaitingInput {
			v.row(fmt.Sprintf("  %s  %s ago  %s", a.IssueIdentifier, span(now.Sub(a.AskedAt)), flat(a.Question)))
		}
	}
	if len(st.AwaitingClarification)+len(st.Skipped) > 0 {
		v.section("Issue gate", v.p.dim("(ID, DECISION, SCORE, REASON)"))
		for _, g := range st.AwaitingClarification {
			v.row(fmt.Sprintf("  %s  clarify  %d  %s", g.IssueIdentifier, g.Score, flat(g.Reason)))
		}
		for _, g := range st.Skipped {
			v.row(fmt.Sprintf("  %s  skipped  %d  %s", g.IssueIdentifier, g.Score, flat(g.Reason)))
		}
	}
}

func (v *view) watching(st *server.State, now time.Time) {
	if len(st.Watching) == 0 {
		v.section("Watching", v.p.dim("none"))
		return
	}
	v.section("Watching", v.p.dim("(ID, STATE, LAST RUN, URL)"))
	for _, w := range st.Watching {
		v.row(fmt.Sprintf("  %s  %s  %s ago  %s", w.IssueIdentifier, flat(w.State), span(now.Sub(w.LastRanAt)), w.URL))
	}
}

func (v *view) conflicts(st *server.State) {
	if len(st.Conflicts) == 0 {
		return
	}
	v.section("Conflicts", v.p.dim("(matched by several repositories; not dispatched)"))
	for _, c := range st.Conflicts {
		v.row(fmt.Sprintf("  %s  %s", c.IssueIdentifier, strings.Join(c.RepoKeys, ", ")))
	}
}

// finish cuts every line to width and the view to height, keeping the closing line.
func (v *view) finish(width, height int) string {
	lines := v.lines
	if height > 0 && len(lines) > height {
		keep := max(height-2, 0)
		cut := len(lines) - 1 - keep
		last := lines[len(lines)-1]
		lines = append(lines[:keep:keep], fmt.Sprintf("│ %s", v.p.dim(fmt.Sprintf("… %d more lines; enlarge the terminal to see them", cut))), last)
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, width, "…")
	}
	return strings.Join(lines, "\n")
}
