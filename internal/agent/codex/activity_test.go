package codex

import (
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/codex/codexfake"
	"github.com/symphony-go/symphony/internal/agent/jsonl"
)

// Completed command and file-change items reach the event sink as typed activity; other items
// carry none.
func TestCompletedItemsCarryActivity(t *testing.T) {
	var got []agent.Event
	s := New(Options{WorkspaceRoot: "/", Workspace: "/ws", StateDir: t.TempDir(), ApprovalPolicy: "never",
		Events: func(ev agent.Event) { got = append(got, ev) }})
	long := strings.Repeat("é", agent.ActivityOutputPreviewRunes+10)
	lines := []string{
		`{"method":"item/completed","params":{"item":{"type":"commandExecution","id":"c1","command":"/bin/bash -lc 'make test'","cwd":"/ws","status":"completed","aggregatedOutput":"ok\n","exitCode":2},"threadId":"t","turnId":"u"},"emittedAtMs":1}`,
		`{"method":"item/completed","params":{"item":{"type":"commandExecution","id":"c2","command":"yes","cwd":"/ws","status":"interrupted","aggregatedOutput":"` + long + `","exitCode":null}}}`,
		`{"method":"item/completed","params":{"item":{"type":"fileChange","id":"f","status":"completed","changes":[{"path":"/ws/a.go","kind":{"type":"update"}},{"path":"/ws/b.go","kind":{"type":"add"}}]}}}`,
		`{"method":"item/completed","params":{"item":{"type":"agentMessage","id":"m","text":"done"}}}`,
	}
	for _, l := range lines {
		s.handleLine(decodedLine(t, l))
	}
	if len(got) != 4 {
		t.Fatalf("%d events", len(got))
	}
	if a := got[0].Activity; a == nil || a.ActivityKind() != agent.ActivityCommand {
		t.Fatalf("no command activity: %+v", a)
	}
	c := got[0].Activity.Describe()
	if c.Command != "/bin/bash -lc 'make test'" || c.Cwd != "/ws" || c.Status != "completed" ||
		c.ExitCode == nil || *c.ExitCode != 2 || c.Output != "ok\n" {
		t.Errorf("command details = %+v", c)
	}
	c = got[1].Activity.Describe()
	if c.ExitCode != nil || c.Status != "interrupted" || !strings.HasSuffix(c.Output, "…") ||
		len([]rune(c.Output)) != agent.ActivityOutputPreviewRunes+1 {
		t.Errorf("interrupted command details = %+v", c)
	}
	if a := got[2].Activity; a == nil || a.ActivityKind() != agent.ActivityFileChange {
		t.Fatalf("no file change activity: %+v", a)
	}
	if f := got[2].Activity.Describe(); strings.Join(f.Paths, ",") != "/ws/a.go,/ws/b.go" || f.Status != "completed" {
		t.Errorf("file change details = %+v", f)
	}
	if got[3].Activity != nil {
		t.Errorf("agent message carries activity %+v", got[3].Activity)
	}
}

// An activity a consumer keeps describes its own command however much output followed it:
// activities kept through a flood of other commands still describe theirs.
func TestKeptActivitiesDescribeTheirOwnCommand(t *testing.T) {
	checkNoGoroutineLeak(t)
	var mu sync.Mutex
	var kept []agent.Activity
	var seen, bad int
	check := func(d agent.ActivityDetails) {
		m := commandPattern.FindStringSubmatch(d.Command)
		if m == nil || d.Cwd != "/srv/workspaces/ENG-1" || d.ExitCode == nil || *d.ExitCode != 0 ||
			!strings.HasPrefix(d.Output, "ok  \tgithub.com/example/pkg"+m[1]+"\t") {
			bad++
		}
	}
	o := fakeOptions(t, codexfake.FakeFlood, &recorder{})
	o.Events = func(ev agent.Event) {
		if ev.Activity == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if seen++; seen%500 == 0 {
			kept = append(kept, ev.Activity)
			return
		}
		check(ev.Activity.Describe())
	}
	// Enough activities to keep ten of them, and many times the queue budget.
	runFlood(t, o, max(16<<20, 4*queueBudgetBytes))
	mu.Lock()
	defer mu.Unlock()
	if len(kept) < 10 {
		t.Fatalf("only %d activities kept of %d", len(kept), seen)
	}
	for _, a := range kept {
		check(a.Describe())
	}
	if bad > 0 {
		t.Fatalf("%d of %d activities do not describe their own command", bad, seen)
	}
}

// decodedLine is line as the transport hands it to the owner goroutine.
func decodedLine(t testing.TB, line string) jsonl.Item[jsonl.Frame] {
	f, err := decodeFrame([]byte(line))
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return jsonl.Item[jsonl.Frame]{Line: []byte(line), Value: f, At: time.Now()}
}

var commandPattern = regexp.MustCompile(`^/bin/bash -lc 'go test \./pkg(\d+)/\.\.\.'$`)
