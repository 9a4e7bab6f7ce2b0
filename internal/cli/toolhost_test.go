package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/audit"
	"github.com/symphony-go/symphony/internal/config"
	"github.com/symphony-go/symphony/internal/issue"
	"github.com/symphony-go/symphony/internal/orchestrator"
	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
	"github.com/symphony-go/symphony/internal/tools"
	"github.com/symphony-go/symphony/internal/tracker"
	"github.com/symphony-go/symphony/internal/tracker/memory"
)

// TestToolHostLogLinesNameTheIssueOnce checks the service's tool hosts log each call with the
// issue's attributes exactly once: a key repeated in a JSON log line is ambiguous to readers.
func TestToolHostLogLinesNameTheIssueOnce(t *testing.T) {
	ctx := context.Background()
	redactor, root := secretscan.New(), t.TempDir()
	st, err := store.Open(ctx, store.Options{StateRoot: root, Redactor: redactor})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log, err := audit.Open(ctx, audit.Options{Dir: audit.Dir(root), Redactor: redactor, Head: st})
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	eng1 := issue.Issue{ID: "id-1", Identifier: "ENG-1", Title: "Fix login", State: "Todo", RepoKey: "web"}
	tr, err := memory.New(memory.Options{
		Settings: tracker.Settings{Routes: []tracker.Route{{Key: "web", Default: true}}, ActiveStates: []string{"Todo"}, TerminalStates: []string{"Done"}},
		Issues:   []issue.Issue{eng1},
	})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s := &service{logger: slog.New(slog.NewJSONHandler(&logs, nil)), store: st, audit: log, tracker: tr, redactor: redactor,
		comments: tools.NewStoredOwnership(st)}
	cfg := &config.Config{Issues: config.Issues{Provider: "memory"}}
	host, err := s.toolHosts()(cfg, orchestrator.AgentRequest{RunID: "run-1", Issue: eng1, Events: func(agent.Event) {}})
	if err != nil {
		t.Fatal(err)
	}
	if res := host.Call(ctx, "tracker_get_current_issue", json.RawMessage(`{}`)); !res.Success {
		t.Fatalf("get_current_issue failed: %+v", res)
	}
	line := strings.TrimSpace(logs.String())
	if !strings.Contains(line, `"msg":"tool call completed"`) {
		t.Fatalf("no tool call log line:\n%s", line)
	}
	for _, key := range []string{`"issue_id":"id-1"`, `"issue_identifier":"ENG-1"`, `"repo_key":"web"`} {
		if n := strings.Count(line, key); n != 1 {
			t.Errorf("%s appears %d times in the log line, want once:\n%s", key, n, line)
		}
	}
}
