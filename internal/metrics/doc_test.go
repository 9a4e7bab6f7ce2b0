package metrics

import (
	"context"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/notify"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/prwatch"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/tracker"
)

const docPath = "../../docs/metrics.md"

func readDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var backticked = regexp.MustCompile("`([^`]+)`")

// docTable returns the rows of the doc's tables whose first cell starts with prefix, split
// into trimmed cells.
func docTable(doc, prefix string) [][]string {
	var rows [][]string
	for line := range strings.Lines(doc) {
		if !strings.HasPrefix(line, "| "+prefix) {
			continue
		}
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows = append(rows, cells)
	}
	return rows
}

func words(cell string) []string {
	var out []string
	for _, m := range backticked.FindAllStringSubmatch(cell, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestDocListsExactlyTheExposedMetrics(t *testing.T) {
	families, err := scripted(t).reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	exposed := map[string]string{}
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), "symphony_") {
			continue
		}
		labels := map[string]bool{}
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				labels[l.GetName()] = true
			}
		}
		exposed[f.GetName()] = strings.ToLower(f.GetType().String()) + " " + strings.Join(slices.Sorted(maps.Keys(labels)), ",")
	}
	documented := map[string]string{}
	for _, row := range docTable(readDoc(t), "`symphony_") {
		if len(row) != 4 {
			t.Fatalf("doc row %q does not have four cells", row)
		}
		name := words(row[0])[0]
		if _, dup := documented[name]; dup {
			t.Errorf("the doc lists %s twice", name)
		}
		labels := words(row[2])
		slices.Sort(labels)
		documented[name] = row[1] + " " + strings.Join(labels, ",")
	}
	for name, want := range exposed {
		if got, ok := documented[name]; !ok {
			t.Errorf("%s (%s) is exposed but not in %s", name, want, docPath)
		} else if got != want {
			t.Errorf("%s is documented as %q, exposed as %q", name, got, want)
		}
	}
	for name := range documented {
		if _, ok := exposed[name]; !ok {
			t.Errorf("%s is in %s but not exposed", name, docPath)
		}
	}
}

// TestDocNamesOnlyRealSeries checks every symphony_ name in the prose and example queries.
func TestDocNamesOnlyRealSeries(t *testing.T) {
	doc := readDoc(t)
	families, err := scripted(t).reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	series := map[string]bool{}
	for _, f := range families {
		series[f.GetName()] = true
		if f.GetType() == dto.MetricType_HISTOGRAM {
			for _, suffix := range []string{"_bucket", "_count", "_sum"} {
				series[f.GetName()+suffix] = true
			}
		}
	}
	for _, name := range regexp.MustCompile(`\bsymphony_[a-z_]*[a-z]`).FindAllString(doc, -1) {
		if !series[name] {
			t.Errorf("%s names %s, which the registry does not expose", docPath, name)
		}
	}
}

// allCallsTracker answers every method with zero values.
type allCallsTracker struct{}

func (allCallsTracker) FetchCandidates(context.Context) (tracker.Candidates, error) {
	return tracker.Candidates{}, nil
}
func (allCallsTracker) FetchRouteCandidates(context.Context, string) ([]issue.Issue, error) {
	return nil, nil
}
func (allCallsTracker) FetchIssuesByStates(context.Context, []string) ([]issue.Issue, error) {
	return nil, nil
}
func (allCallsTracker) FetchIssueStatesByIDs(context.Context, []string) ([]issue.Issue, error) {
	return nil, nil
}
func (allCallsTracker) FetchIssueByIdentifier(context.Context, string) (issue.Issue, error) {
	return issue.Issue{}, nil
}
func (allCallsTracker) UpdateIssueState(context.Context, string, string) error { return nil }
func (allCallsTracker) ListComments(context.Context, string) ([]issue.Comment, error) {
	return nil, nil
}
func (allCallsTracker) CreateComment(context.Context, string, string) (issue.Comment, error) {
	return issue.Comment{}, nil
}
func (allCallsTracker) UpdateComment(context.Context, string, string, string) (issue.Comment, error) {
	return issue.Comment{}, nil
}
func (allCallsTracker) DeleteComment(context.Context, string, string) error { return nil }
func (allCallsTracker) ListSubIssues(context.Context, string) ([]tracker.IssueRef, error) {
	return nil, nil
}
func (allCallsTracker) FetchParent(context.Context, string) (*tracker.IssueRef, error) {
	return nil, nil
}
func (allCallsTracker) ListRelations(context.Context, string) ([]tracker.Relation, error) {
	return nil, nil
}
func (allCallsTracker) AttachURL(context.Context, string, string, string) (tracker.Link, error) {
	return tracker.Link{}, nil
}
func (allCallsTracker) AttachFile(context.Context, string, tracker.FileUpload) (tracker.Link, error) {
	return tracker.Link{}, nil
}

// allWritesStore answers every write; its reads are never called.
type allWritesStore struct{ orchestrator.Store }

func (allWritesStore) StartRun(_ context.Context, r store.Run) (store.Run, error) { return r, nil }
func (allWritesStore) UpdateRun(context.Context, store.Run) error                 { return nil }
func (allWritesStore) SetRunAgent(context.Context, string, string, int, int64) error {
	return nil
}
func (allWritesStore) FinishRun(context.Context, store.Run) error           { return nil }
func (allWritesStore) MarkInterrupted(context.Context, string) (int, error) { return 0, nil }
func (allWritesStore) PutRetry(context.Context, store.Retry) error          { return nil }
func (allWritesStore) DeleteRetry(context.Context, string, string) error    { return nil }
func (allWritesStore) SetPause(context.Context, store.Pause) error          { return nil }
func (allWritesStore) AddUsage(context.Context, ...store.Usage) error       { return nil }
func (allWritesStore) PutHold(context.Context, store.Hold) error            { return nil }
func (allWritesStore) DeleteHold(context.Context, string, string) error     { return nil }

// operationsOf returns the operation label values of a family, sorted.
func operationsOf(t *testing.T, g prometheus.Gatherer, family string) []string {
	t.Helper()
	families, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, f := range families {
		if f.GetName() != family {
			continue
		}
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "operation" {
					ops = append(ops, l.GetValue())
				}
			}
		}
	}
	slices.Sort(ops)
	return ops
}

func TestDocListsEveryLabelValue(t *testing.T) {
	m := New(Options{})
	ctx := context.Background()
	tr := m.Tracker(allCallsTracker{})
	tr.FetchCandidates(ctx)
	tr.FetchRouteCandidates(ctx, "app")
	tr.FetchIssuesByStates(ctx, nil)
	tr.FetchIssueStatesByIDs(ctx, nil)
	tr.FetchIssueByIdentifier(ctx, "ENG-1")
	tr.UpdateIssueState(ctx, "id", "Done")
	tr.ListComments(ctx, "id")
	tr.CreateComment(ctx, "id", "body")
	tr.UpdateComment(ctx, "id", "c", "body")
	tr.DeleteComment(ctx, "id", "c")
	tr.ListSubIssues(ctx, "id")
	tr.FetchParent(ctx, "id")
	tr.ListRelations(ctx, "id")
	tr.AttachURL(ctx, "id", "https://example.com", "")
	tr.AttachFile(ctx, "id", tracker.FileUpload{})
	st := m.Store(allWritesStore{})
	st.StartRun(ctx, store.Run{})
	st.UpdateRun(ctx, store.Run{})
	st.SetRunAgent(ctx, "app", "r", 1, 1)
	st.FinishRun(ctx, store.Run{})
	st.MarkInterrupted(ctx, "restart")
	st.PutRetry(ctx, store.Retry{})
	st.DeleteRetry(ctx, "app", "id")
	st.SetPause(ctx, store.Pause{})
	st.AddUsage(ctx, store.Usage{})
	st.PutHold(ctx, store.Hold{})
	st.DeleteHold(ctx, "app", "id")

	want := map[string][]string{
		"`outcome`":              outcomes,
		"`bucket`":               tokenBuckets,
		"`kind` (retrying)":      {retryKindRetry, retryKindContinuation},
		"`kind` (pull requests)": append(prwatch.EventKinds(), otherEvent),
		"`poller`":               {"review", "ci"},
		"`result`":               {pollOK, pollFailed},
		"`direction`":            {gateTokensIn, gateTokensOut},
		"`channel`":              {"slack", "webhook", otherEvent},
		"`event`":                append(notify.Events(), otherEvent),
		"`delivery`":             deliveries,
		"`operation` (tracker)":  operationsOf(t, m.reg, "symphony_tracker_requests_total"),
		"`operation` (store)":    operationsOf(t, m.reg, "symphony_store_write_duration_seconds"),
	}
	if n := len(want["`operation` (tracker)"]); n != 15 {
		t.Fatalf("%d tracker operations counted, want one per tracker.Tracker method (15)", n)
	}
	if n := len(want["`operation` (store)"]); n != 11 {
		t.Fatalf("%d store operations timed, want one per store write (11)", n)
	}
	rows := map[string][]string{}
	for _, row := range docTable(readDoc(t), "`") {
		if len(row) == 2 {
			rows[row[0]] = words(row[1])
		}
	}
	for label, values := range want {
		got := slices.Sorted(slices.Values(rows[label]))
		if w := slices.Sorted(slices.Values(values)); !slices.Equal(got, w) {
			t.Errorf("%s lists %s values %v, the code has %v", docPath, label, got, w)
		}
	}
	repo := strings.Join(rows["`repository`"], " ")
	if !strings.Contains(strings.Join(docTable(readDoc(t), "`repository`")[0], " "), fmt.Sprintf("Past %d distinct keys", maxRepositories)) ||
		!strings.Contains(repo, otherRepository) {
		t.Errorf("%s does not state the repository cap %d and %s", docPath, maxRepositories, otherRepository)
	}
}

func TestTheDefaultRegistryIsLeftAlone(t *testing.T) {
	scripted(t)
	families, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if strings.HasPrefix(f.GetName(), "symphony_") {
			t.Fatalf("%s landed in the default registry", f.GetName())
		}
	}
}
