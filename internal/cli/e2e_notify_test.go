package cli

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/codex/codextest"
)

// notifyReceiver is a TLS endpoint that records each request's path, headers and body.
type notifyReceiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []receivedNotification
}

type receivedNotification struct {
	path   string
	header http.Header
	body   []byte
}

func newNotifyReceiver(t *testing.T) *notifyReceiver {
	t.Helper()
	r := &notifyReceiver{}
	r.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		r.mu.Lock()
		r.got = append(r.got, receivedNotification{path: req.URL.Path, header: req.Header.Clone(), body: body})
		r.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *notifyReceiver) received() []receivedNotification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]receivedNotification(nil), r.got...)
}

// certFile writes the receiver's certificate where SSL_CERT_FILE can point the symphony
// binary's system roots at it: the binary trusts the test CA without any test-only code path.
func (r *notifyReceiver) certFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "receiver.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.srv.Certificate().Raw})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// notificationsConfig is the notifications block: a webhook with a secret header for failures
// and hand-offs, and a Slack channel for hand-offs only. allow_private is what lets the
// loopback receiver through the SSRF guard; production targets never need it.
const notificationsConfig = `notifications:
  enabled: true
  channels:
    - kind: webhook
      url: $NOTIFY_WEBHOOK_URL
      headers: {Authorization: $NOTIFY_TOKEN}
      events: [run_failed, awaiting_review]
      allow_private: true
    - kind: slack
      webhook_url: $NOTIFY_SLACK_URL
      events: [awaiting_review]
      allow_private: true
`

func TestServeDeliversNotificationsToTLSReceivers(t *testing.T) {
	e := newE2E(t, "DEMO-1")
	recv := newNotifyReceiver(t)
	token := "Bearer notify-" + strings.Repeat("k3", 12)
	slackPath := "/services/T0/B0/" + strings.Repeat("s7", 12)
	e.env = append(e.env, "SSL_CERT_FILE="+recv.certFile(t), "NOTIFY_TOKEN="+token,
		"NOTIFY_WEBHOOK_URL="+recv.srv.URL+"/hook", "NOTIFY_SLACK_URL="+recv.srv.URL+slackPath)
	// The first attempt fails at the model API (run_failed); the retry works and hands the
	// issue off (awaiting_review).
	mock := codextest.NewResponses(t, codextest.Step{HTTPStatus: 500},
		codextest.Step{Shell: agentWork(e.issues)}, codextest.Step{Text: "DEMO-1 is ready for review."})
	e.writeConfig(t, mock)
	appendFile(t, e.config, notificationsConfig)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd, stdout, stderr := e.command(ctx)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(150 * time.Second)
	for !receivedAll(recv.received(), "/hook run_failed", "/hook awaiting_review", "slack awaiting_review") {
		if time.Now().After(deadline) {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			cmd.Wait()
			t.Fatalf("notifications not delivered; got %d requests\nstdout:\n%s\nstderr:\n%s", len(recv.received()), stdout, stderr)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("symphony did not exit cleanly: %v\nstderr:\n%s", err, stderr)
	}

	for _, n := range recv.received() {
		if n.path == "/hook" && n.header.Get("Authorization") != token {
			t.Errorf("webhook request without its configured header: %v", n.header)
		}
		if strings.Contains(string(n.body), token) || strings.Contains(string(n.body), slackPath) {
			t.Errorf("a notification payload carries a channel secret: %s", n.body)
		}
		var payload map[string]any
		if err := json.Unmarshal(n.body, &payload); err != nil {
			t.Errorf("payload is not JSON: %s", n.body)
		}
		if n.path == "/hook" && (payload["issue_identifier"] != "DEMO-1" || payload["repo_key"] != "demo" || payload["run_id"] == nil) {
			t.Errorf("webhook payload does not name the issue and run: %s", n.body)
		}
	}

	show, sout, serr := e.command(ctx, "audit", "show", "DEMO-1", "--json")
	if err := show.Run(); err != nil {
		t.Fatalf("audit show: %v\n%s", err, serr)
	}
	var records []struct {
		Type    string         `json:"event_type"`
		Details map[string]any `json:"details"`
	}
	if err := json.Unmarshal(sout.Bytes(), &records); err != nil {
		t.Fatalf("audit show --json: %v\n%s", err, sout)
	}
	var delivered []string
	for _, rec := range records {
		if rec.Type == "notification" && rec.Details["delivered"] == true {
			delivered = append(delivered, rec.Details["kind"].(string)+" "+rec.Details["event"].(string))
		}
	}
	if !receivedAllNames(delivered, "webhook run_failed", "webhook awaiting_review", "slack awaiting_review") {
		t.Errorf("audit notification records %v, want one per delivery\n%s", delivered, sout)
	}
	scanForSecrets(t, e.state, stdout.String()+stderr.String())
	for _, secret := range []string{token, slackPath} {
		if strings.Contains(stdout.String()+stderr.String(), secret) || strings.Contains(sout.String(), secret) {
			t.Errorf("a channel secret reached the output or the audit log")
		}
	}
}

// TestServeRefusesALoopbackReceiverWithoutAllowPrivate: the SSRF guard is on unless the
// channel says otherwise.
func TestServeRefusesALoopbackReceiverWithoutAllowPrivate(t *testing.T) {
	e := newE2E(t, "DEMO-1")
	e.env = append(e.env, "NOTIFY_WEBHOOK_URL=https://127.0.0.1:9/hook", "NOTIFY_TOKEN=x", "NOTIFY_SLACK_URL=https://hooks.slack.com/services/T/B/C")
	e.writeConfig(t, codextest.NewResponses(t))
	appendFile(t, e.config, strings.ReplaceAll(notificationsConfig, "      allow_private: true\n", ""))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd, _, stderr := e.command(ctx)
	err := cmd.Run()
	var exit *exec.ExitError
	if !asExit(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(stderr.String(), "notifications.channels[0].url") ||
		!strings.Contains(stderr.String(), "allow_private") {
		t.Fatalf("symphony with a loopback webhook: %v\n%s", err, stderr)
	}
}

func asExit(err error, target **exec.ExitError) bool {
	ee, ok := err.(*exec.ExitError)
	*target = ee
	return ok
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// receivedAll reports whether every "<path-or-slack> <event>" arrived.
func receivedAll(got []receivedNotification, want ...string) bool {
	var names []string
	for _, n := range got {
		var p struct {
			Event string `json:"event"`
			Text  string `json:"text"`
		}
		json.Unmarshal(n.body, &p)
		switch {
		case n.path == "/hook":
			names = append(names, "/hook "+p.Event)
		case strings.HasPrefix(p.Text, "Awaiting review"):
			names = append(names, "slack awaiting_review")
		}
	}
	return receivedAllNames(names, want...)
}

func receivedAllNames(got []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			return false
		}
	}
	return true
}
