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
