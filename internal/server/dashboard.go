package server

import (
	"encoding/json"
	"html/template"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/prwatch"
)

// dashboardView is what the / template renders: the state document narrowed to one
// repository when the filter asks for it, plus what the page derives for people.
type dashboardView struct {
	page
	State State
	// Repo is the repository filter in force ("" for all); Repos are the choices.
	Repo  string
	Repos []string
	// Blocked says dispatch is held; Blockers says why, each with its kind.
	Blocked    bool
	RateLimits []rateLimitLine
	// TokensPlot and OutcomesPlot are inline SVG drawn on the server.
	TokensPlot   template.HTML
	OutcomesPlot template.HTML
}

// rateLimitLine is one leaf of the agent's rate-limit payload, named by its path.
type rateLimitLine struct {
	Name, Value string
}

func (s *Server) getDashboard(w http.ResponseWriter, r *http.Request) {
	snap := s.opts.Orchestrator.Snapshot()
	st := s.state(r.Context(), snap)
	repo := r.URL.Query().Get("repo")
	v := dashboardView{page: s.page("Symphony", "dashboard", snap.At), Repo: repo, Repos: st.Repos,
		Blocked: !st.DispatchState.Active, RateLimits: rateLimitLines(snap.RateLimits)}
	if repo != "" {
		filterByRepo(&st, repo)
		v.Title = "Symphony · " + repo
	}
	v.State = st
	v.TokensPlot = tokensPerHourSVG(tokensPerHour(snap, repo))
	v.OutcomesPlot = outcomesPerDaySVG(outcomesPerDay(snap, repo))
	s.renderPage(w, http.StatusOK, "dashboard.html", v)
}

// filterByRepo keeps only the rows of repo. Conflicts stay when repo is one of their routes.
func filterByRepo(st *State, repo string) {
	st.Running = slices.DeleteFunc(st.Running, func(r RunningJSON) bool { return r.RepoKey != repo })
	st.Queued = slices.DeleteFunc(st.Queued, func(r QueuedJSON) bool { return r.RepoKey != repo })
	st.Retrying = slices.DeleteFunc(st.Retrying, func(r RetryJSON) bool { return r.RepoKey != repo })
	st.Watching = slices.DeleteFunc(st.Watching, func(r WatchingJSON) bool { return r.RepoKey != repo })
	st.Held = slices.DeleteFunc(st.Held, func(r HeldJSON) bool { return r.RepoKey != repo })
	st.AwaitingInput = slices.DeleteFunc(st.AwaitingInput, func(r AwaitingJSON) bool { return r.RepoKey != repo })
	st.AwaitingClarification = slices.DeleteFunc(st.AwaitingClarification, func(r GateJSON) bool { return r.RepoKey != repo })
	st.Skipped = slices.DeleteFunc(st.Skipped, func(r GateJSON) bool { return r.RepoKey != repo })
	st.Conflicts = slices.DeleteFunc(st.Conflicts, func(r ConflictJSON) bool { return !slices.Contains(r.RepoKeys, repo) })
	st.RunHistory = slices.DeleteFunc(st.RunHistory, func(r HistoryJSON) bool { return r.RepoKey != repo })
	st.PullRequests = slices.DeleteFunc(st.PullRequests, func(r prwatch.Status) bool { return r.RepoKey != repo })
	st.Counts = Counts{Running: len(st.Running), Queued: len(st.Queued), Retrying: len(st.Retrying),
		Watching: len(st.Watching), Conflicts: len(st.Conflicts), Held: len(st.Held), AwaitingInput: len(st.AwaitingInput),
		Awaiting: len(st.AwaitingClarification), Skipped: len(st.Skipped), PullRequests: len(st.PullRequests)}
}

// maxRateLimitLines bounds what an agent's payload can add to the page.
const maxRateLimitLines = 24

// rateLimitLines flattens the agent's rate-limit payload (whatever shape its runtime sends)
// into name/value lines sorted by name, so the page shows every number it was told.
func rateLimitLines(raw json.RawMessage) []rateLimitLine {
	if len(raw) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return []rateLimitLine{{Name: "rate limits", Value: "unreadable payload: " + err.Error()}}
	}
	var out []rateLimitLine
	var walk func(prefix string, v any, depth int)
	walk = func(prefix string, v any, depth int) {
		if len(out) >= maxRateLimitLines {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			if depth >= 4 {
				return
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(strings.TrimPrefix(prefix+"."+k, "."), x[k], depth+1)
			}
		case nil:
			out = append(out, rateLimitLine{Name: prefix, Value: "none"})
		case float64:
			out = append(out, rateLimitLine{Name: prefix, Value: strconv.FormatFloat(x, 'f', -1, 64)})
		case string:
			out = append(out, rateLimitLine{Name: prefix, Value: x})
		case bool:
			out = append(out, rateLimitLine{Name: prefix, Value: strconv.FormatBool(x)})
		default:
			data, _ := json.Marshal(x)
			out = append(out, rateLimitLine{Name: prefix, Value: string(data)})
		}
	}
	walk("", v, 0)
	return out
}

// historyOf narrows the snapshot's finished runs to repo.
func historyOf(snap *orchestrator.Snapshot, repo string) []orchestrator.HistoryRow {
	if repo == "" {
		return snap.History
	}
	var out []orchestrator.HistoryRow
	for _, h := range snap.History {
		if h.RepoKey == repo {
			out = append(out, h)
		}
	}
	return out
}
