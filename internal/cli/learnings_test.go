package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
)

func TestLearningsListsStoredRulesByRepository(t *testing.T) {
	state := t.TempDir()
	st, err := store.Open(context.Background(), store.Options{StateRoot: state, Redactor: secretscan.New()})
	if err != nil {
		t.Fatal(err)
	}
	for i, repo := range []string{"app", "api"} {
		l := store.Learning{ID: "lrn_" + repo, Rule: "Wrap errors\nwith %w", Tags: []string{"go", "errors"}, EvidenceQuote: "please wrap",
			PRNumber: i + 1, CreatedAt: time.Now()}
		if _, err := st.RecordLearnings(context.Background(), repo, "https://github.com/acme/"+repo+"/pull/1", store.CaptureStored, []store.Learning{l}, 10); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	run := func(args ...string) string {
		t.Helper()
		root := newRootCmd(&Globals{})
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&out)
		root.SetArgs(append([]string{"--state-root", state}, args...))
		if err := root.Execute(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
		return out.String()
	}
	table := run("learnings", "--repo", "app")
	if !strings.Contains(table, "Wrap errors with %w") || !strings.Contains(table, "go,errors") || strings.Contains(table, "acme/api") {
		t.Errorf("learnings --repo app:\n%s", table)
	}
	var all []store.Learning
	if err := json.Unmarshal([]byte(run("learnings", "--json")), &all); err != nil || len(all) != 2 {
		t.Errorf("learnings --json gave %d learnings, %v", len(all), err)
	}
}
