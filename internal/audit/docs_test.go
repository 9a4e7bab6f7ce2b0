package audit

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestSecurityDocStatesTheFsyncPolicy fails when docs/security.md's checkpoint cadence drifts
// from the defaults a Log really uses.
func TestSecurityDocStatesTheFsyncPolicy(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "security.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`at most every (\d+) ms or (\d+) records`).FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/security.md no longer states the checkpoint cadence as \"at most every N ms or M records\"")
	}
	ms, _ := strconv.Atoi(string(m[1]))
	records, _ := strconv.Atoi(string(m[2]))
	if got := time.Duration(ms) * time.Millisecond; got != DefaultFlushInterval {
		t.Errorf("docs/security.md says every %v; the log flushes every %v", got, DefaultFlushInterval)
	}
	if records != DefaultMaxBatch {
		t.Errorf("docs/security.md says every %d records; the log syncs every %d", records, DefaultMaxBatch)
	}
}
