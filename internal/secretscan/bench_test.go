package secretscan

import (
	"strings"
	"testing"
)

func BenchmarkRedact1MiBLog(b *testing.B) {
	line := "2026-01-05T09:30:00Z step 4/9: go test ./... ok  github.com/example/pkg 0.42s\n"
	log := strings.Repeat(line, 1<<20/len(line)) + "export API_TOKEN=" + fake("ghp_", 36) + "\n"
	s := New("configured-secret-value")
	b.SetBytes(int64(len(log)))
	b.ReportAllocs()
	for b.Loop() {
		s.Redact(log)
	}
}

// BenchmarkRedactRecordFields redacts the strings of one typical audit record: ids, keys and a
// command's output preview, none holding a secret.
func BenchmarkRedactRecordFields(b *testing.B) {
	fields := []string{"issue-1", "ENG-1", "web", "run-20260310-abcdef", "thread-1-turn-1", "command", "cwd", "status",
		"exit_code", "output_preview", "/bin/bash -lc 'go test ./pkg/...'", "/srv/workspaces/ENG-1", "completed",
		strings.Repeat("ok  \tgithub.com/example/pkg\t0.042s\n", 12)}
	benchRedact(b, fields)
}

// BenchmarkRedactTokenUsageFields redacts the strings of a token_usage audit record, whose keys
// hold the word "token" a secret assignment's hints include.
func BenchmarkRedactTokenUsageFields(b *testing.B) {
	fields := []string{"issue-1", "ENG-1", "web", "run-20260310-abcdef", "thread-1-turn-1",
		"delta_total_tokens", "input_tokens", "output_tokens"}
	benchRedact(b, fields)
}

// benchRedact redacts each of fields once per iteration, as the audit log does a record's
// strings, with one configured secret.
func benchRedact(b *testing.B, fields []string) {
	total := 0
	for _, f := range fields {
		total += len(f)
	}
	s := New("configured-secret-value")
	b.SetBytes(int64(total))
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range fields {
			s.Redact(f)
		}
	}
}
