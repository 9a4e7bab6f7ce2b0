package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/secretscan"
)

// goldenLiteral is a configured secret the golden sequence's redactor scrubs verbatim.
const goldenLiteral = "operator-configured-secret-42"

// goldenEvent is the i-th event of a fixed sequence that reaches every way a record's details
// are scrubbed and encoded: plain values, Fields and values that need a JSON round trip, Excerpts cut
// at both ends and through runes, secrets in values, keys and identifiers, text JSON escapes,
// and times from the log's clock, in other zones and across midnight.
func goldenEvent(i int) Event {
	zero, one := 0, 1
	secrets := []string{
		"",
		"sk-proj-" + strings.Repeat("A1b2", 8),
		"export API_TOKEN=" + strings.Repeat("z", 12),
		"Authorization: Bearer " + strings.Repeat("Qx9", 9),
		"pass " + goldenLiteral + " on",
		"-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
		"ghp_" + strings.Repeat("k", 36),
	}
	secret := secrets[i%len(secrets)]
	texts := []string{"plain", "<b>&amp;</b>", "tab\tnew\nline\r\x01\x1f", `quote " back \ slash`, "\xff\xfe bad utf8", "line\u2028para\u2029", "日本語のテキスト✓"}
	text := texts[i%len(texts)] + " " + secret
	output := strings.Repeat(fmt.Sprintf("ok  \tgithub.com/example/pkg%d\t0.%03ds é\n", i, i), 1+i%9) + secret
	ev := Event{IssueID: fmt.Sprintf("issue-%d", i%4), IssueIdentifier: fmt.Sprintf("ENG-%d", i%4), RepoKey: "web", RunID: "run-1",
		SessionID: fmt.Sprintf("thread-%d-turn-%d", i%3, i%5)}
	switch i % 9 {
	case 0:
		ev.Type = EventCommandExecuted
		ev.Details = map[string]any{"command": "/bin/bash -lc 'go test ./...' " + secret, "cwd": "/srv/workspaces/ENG-1", "status": "completed",
			"output_preview": output, "exit_code": i % 3}
		if i%2 == 1 {
			// The same details as Fields, which must be stored the same way.
			ev.Details, ev.Fields = nil, Fields{Text("command", "/bin/bash -lc 'go test ./...' "+secret), Text("cwd", "/srv/workspaces/ENG-1"),
				Int("exit_code", int64(i%3)), Text("output_preview", output), Text("status", "completed")}
		}
	case 1:
		ev.Type = EventFileChanged
		ev.Details = map[string]any{"paths": []string{"a.go", text, "dir/" + secret}, "status": "completed", "none": []string(nil)}
	case 2:
		ev.Type = EventTokenUsage
		ev.Details = map[string]any{"delta_total_tokens": int64(i * 1000), "input_tokens": int64(i * 900), "output_tokens": uint64(i * 100)}
	case 3:
		ev.Type = EventAgentOutputSummary
		ev.Details = map[string]any{"head": Excerpt{Text: output, Max: 40 + i%7}, "tail": Excerpt{Text: output, Max: 33 + i%5, FromEnd: true},
			"whole": Excerpt{Text: text}, "deltas": i, "nested": map[string]any{"kinds": []any{"message", int64(i), nil, true, []any{text}}, "none": map[string]any(nil)}}
	case 4:
		ev.Type = EventToolCall
		ev.Details = map[string]any{"tool": "linear_graphql", "cost_usd": float64(i) / 7, "args": map[string]any{"query": text, "n": 1.5}}
	case 5:
		ev.Type = EventOperatorAction
		ev.Details = map[string]any{"action": "pause", "by": text, "when": time.Date(2026, 3, 14, 1, 2, 3, 4, time.UTC), "ok": false, "nothing": nil}
	case 6:
		ev.Type = EventRunFinished
		ev.Details = map[string]any{text: "key holds text", "API_KEY=" + strings.Repeat("v", 10): "key holds a secret", "exit": &one, "zero": zero}
	case 7:
		ev.Type = EventRunStarted
		ev.IssueIdentifier, ev.RunID = secret, text
	case 8:
		ev.Type = EventConfigReloaded
		ev.Details = map[string]any{}
	}
	switch i % 5 {
	case 1:
		ev.Time = chainStart.Add(time.Duration(i) * 37 * time.Minute)
	case 2:
		ev.Time = chainStart.Add(time.Duration(i) * 37 * time.Minute).In(time.FixedZone("UTC-7", -7*3600))
	}
	return ev
}

// The audit file's bytes for a fixed sequence of events, appended one at a time and in
// batches, are the ones the log wrote before its append path was last optimized: any change
// to field order, escaping, redaction or the hash chain changes these digests.
func TestGoldenAuditBytes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := Open(ctx, Options{Dir: dir, Redactor: secretscan.New(goldenLiteral), Head: &memHead{}, Now: stepClock(chainStart, 13*time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	const events = 500
	for i := 0; i < events; {
		if i%7 == 3 {
			if _, err := l.Append(ctx, goldenEvent(i)); err != nil {
				t.Fatal(err)
			}
			i++
			continue
		}
		batch := make([]Event, 0, 40)
		for ; i < events && len(batch) < 1+i%40; i++ {
			batch = append(batch, goldenEvent(i))
		}
		if _, err := l.AppendBatch(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	days, err := listDays(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range days {
		b, err := os.ReadFile(d.Path)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		got[d.Day] = hex.EncodeToString(sum[:])
	}
	want := map[string]string{
		"2026-03-14": "db50551a0397ae0f770fcc8c7c2378d46b33a474a3366af815dd351ca748b33b",
		"2026-03-15": "488a15e0a3779bf28c25fde27c5a643bc07d3ef1763d8496f10a742ec3ec1a2f",
		"2026-03-16": "bbe8deccd1b455be9c116431c64f0369548fc4ee32f1e1be33fccc7ef4b1016c",
		"2026-03-17": "4db4b9097942ecc1931903ee20e54a49f275fefaa4ec46dead7f8735167d81c9",
		"2026-03-18": "14c8edb63accec25de74e2ff0807f09988856758e36815e377b531c3080322cc",
		"2026-03-19": "40af550aac3abe9f83ca218d5ef43ab0cf5d51c789fc90b72536a0551e1640b1",
		"2026-03-20": "6d0b986d6c2e762b5a8eaf92f8953ecda3fe674a62fcf8396ff6afae72083d2e",
		"2026-03-21": "acc05161bb73b1c10c60104da72e0dcabbfeb2328b3244a3e0bfbb0339dc9d96",
		"2026-03-22": "199ab09046ece92687c64b0bdcb3f6a1f33d7b44121cb0bdf9dfd792060c4110",
		"2026-03-23": "ba740fc8d84a0c7f157d47e3a99da7efdba582d89ffd792e2d344b15e415f482",
		"2026-03-24": "93a8f6870f105e9fbe454d29a29104067ba4e6b67e3ee72ae75bae6abec26c54",
		"2026-03-25": "3d722318fdbccd2cf4b91db43fe6b68ecb439b7b650164bef8de4b95bf86b48a",
		"2026-03-26": "958164d4c9490fa297300580f392e799187e4f0bd5a8a9bacf5d8f85f827ba45",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		dump, _ := json.MarshalIndent(got, "", "\t")
		t.Fatalf("audit file digests changed:\n%s", dump)
	}
}
