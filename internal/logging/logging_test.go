package logging

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretsNeverReachALogLine(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	const configured = "lin_api_0123456789abcdefghijklmnopqrstuv"
	logger, closeFn, err := New(Options{Stderr: &stderr, LogsRoot: dir, Secrets: []string{configured}})
	if err != nil {
		t.Fatal(err)
	}
	ghToken := "ghp_" + strings.Repeat("a", 36)
	logger.With("api_key", configured).Info("calling tracker with "+configured,
		"error", errors.New("401 for token "+ghToken),
		slog.Group("req", "header", "Authorization: Bearer "+configured),
		"any", struct{ Key string }{configured},
		"issue_identifier", "ENG-1")
	if err := closeFn(); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(filepath.Join(dir, "symphony.log"))
	if err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(filepath.Join(dir, "symphony.log"))
	if info.Mode().Perm() != 0o600 {
		t.Errorf("log file mode %v", info.Mode().Perm())
	}
	for name, out := range map[string]string{"stderr": stderr.String(), "file": string(file)} {
		if strings.Contains(out, configured) || strings.Contains(out, ghToken) {
			t.Errorf("%s leaks a secret:\n%s", name, out)
		}
		if !strings.Contains(out, "issue_identifier=ENG-1") || !strings.Contains(out, "[REDACTED:") {
			t.Errorf("%s lost its content:\n%s", name, out)
		}
	}
}

func TestJSONFormat(t *testing.T) {
	var buf bytes.Buffer
	logger, _, err := New(Options{Stderr: &buf, JSON: true})
	if err != nil {
		t.Fatal(err)
	}
	logger.Info("dispatch", "issue_id", "abc")
	if !strings.HasPrefix(buf.String(), "{") || !strings.Contains(buf.String(), `"issue_id":"abc"`) {
		t.Fatalf("not JSON: %s", buf.String())
	}
}
