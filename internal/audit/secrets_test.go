package audit

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
)

// secretCorpus holds credentials of every shape the scanner knows, plus operator-configured
// values that only match because they are configured.
var secretCorpus = map[string]string{
	"configured webhook secret": "hunter2-configured-webhook-value",
	"linear api key env":        "lin_api_" + strings.Repeat("A1b2", 10),
	"openai project key":        "sk-proj-" + strings.Repeat("Zx9", 10),
	"anthropic key":             "sk-ant-api03-" + strings.Repeat("Qq7", 10),
	"github token":              "ghp_" + strings.Repeat("Gh3", 12),
	"aws access key":            "AKIAIOSFODNN7EXAMPLE",
	"jwt":                       "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
	"bearer token":              "abcdefghijklmnopqrstuvwxyz123456",
	"password assignment":       "correct-horse-battery-staple",
	"private key body":          "MIIEowIBAAKCAQEAsecretkeymaterial",
	"shapeless env password":    "plain-db-password-42",
}

// TestNoSecretReachesAuditOrStore drives the audit log and the run store through the writes a
// run makes, with the corpus planted in the issue, its comments, the prompt, tool calls,
// command output, errors, retries and the pause reason, then searches every byte under the
// state root (day files, torn fragments, the SQLite file and its WAL) for each secret.
func TestNoSecretReachesAuditOrStore(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	c := secretCorpus
	env := []string{"LINEAR_API_KEY=" + c["linear api key env"], "DB_PASSWORD=" + c["shapeless env password"], "PATH=/usr/bin"}
	scanner := secretscan.New(append([]string{c["configured webhook secret"]}, SecretEnvValues(env)...)...)
	st, err := store.Open(ctx, store.Options{StateRoot: root, Redactor: scanner})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log, err := Open(ctx, Options{Dir: Dir(root), Redactor: scanner, Head: st, PreviewChars: 4000})
	if err != nil {
		t.Fatal(err)
	}
	description := "Deploy is broken. Our key is " + c["openai project key"] + " and the hook is " + c["configured webhook secret"] +
		"\n-----BEGIN RSA PRIVATE KEY-----\n" + c["private key body"] + "\n-----END RSA PRIVATE KEY-----\n"
	comment := "try with Authorization: Bearer " + c["bearer token"] + " or DB_PASSWORD=" + c["password assignment"]
	title := "Rotate " + c["github token"]
	run, err := st.StartRun(ctx, store.Run{RepoKey: "web", IssueID: "issue-1", IssueIdentifier: "ENG-1", IssueTitle: title, IssueState: "Todo"})
	if err != nil {
		t.Fatal(err)
	}
	base := Event{IssueID: "issue-1", IssueIdentifier: "ENG-1", RepoKey: "web", RunID: run.ID, SessionID: "thread-1-turn-1"}
	prompt := "You are working on ENG-1: " + title + "\n\n" + description + "\nComments:\n" + comment
	if _, err := log.AppendPrompt(ctx, base, prompt); err != nil {
		t.Fatal(err)
	}
	events := []Event{
		{Type: EventToolCall, Details: map[string]any{"tool": "linear_graphql", "args": map[string]any{"headers": []any{"Authorization: Bearer " + c["bearer token"]}}}},
		{Type: EventCommandExecuted, Details: map[string]any{"command": "env", "output": "LINEAR_API_KEY=" + c["linear api key env"] + "\nAWS_KEY=" + c["aws access key"] + "\nconnecting with " + c["shapeless env password"]}},
		{Type: EventTrackerComment, Details: map[string]any{"body": "Found token " + c["jwt"] + " in logs", c["anthropic key"]: "used as a key"}},
		{Type: EventFileChanged, Details: map[string]any{"path": ".env", "diff": "+OPENAI_API_KEY=" + c["openai project key"]}},
	}
	for _, ev := range events {
		e := base
		e.Type, e.Details = ev.Type, ev.Details
		if _, err := log.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	run.Status, run.Error = store.StatusFailure, "agent exited: auth failed for "+c["anthropic key"]
	if err := st.FinishRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	if err := st.PutRetry(ctx, store.Retry{RepoKey: "web", IssueID: "issue-1", Attempt: 1, DueAt: time.Now(), Error: "401 with " + c["github token"], Reason: c["configured webhook secret"]}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetPause(ctx, store.Pause{Paused: true, Reason: "leaked " + c["aws access key"]}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.MarkInterrupted(ctx, "restart "+c["jwt"]); err != nil {
		t.Fatal(err)
	}
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}

	var all strings.Builder
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		all.Write(b)
		for name, secret := range c {
			if strings.Contains(string(b), secret) {
				t.Errorf("%s appears in %s", name, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The search must have seen the data it claims is clean.
	for _, want := range []string{"[REDACTED:", "linear_graphql", "agent exited: auth failed for"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("searched %d files but none holds %q; the test looked in the wrong place", files, want)
		}
	}
	if r, err := Verify(ctx, VerifyOptions{Dir: Dir(root), Head: st}); err != nil || !r.Intact() {
		t.Fatalf("verify after scrubbing: %+v %v", r, err)
	}
}
