package codex

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
)

// TestBadStdoutIsNamedInTheTimeout runs shell agents that never speak JSON-RPC: the
// initialize timeout must say what they wrote instead, redacted and bounded.
func TestBadStdoutIsNamedInTheTimeout(t *testing.T) {
	const token = "ghp_0123456789abcdefghijABCDEFGHIJ012345"
	cases := []struct {
		name    string
		command string
		counts  *regexp.Regexp
		head    string
		// wait is the read timeout; writing 11 MB through a pipe can take seconds on a
		// loaded machine, and the line must be seen before the timeout ends the session.
		wait time.Duration
	}{
		{"garbage lines", "printf 'hello garbage " + token + "\\n%.0s' 1 2 3; exec sleep 30",
			regexp.MustCompile(`codex wrote 3 malformed and 0 oversized`), `the first began "hello garbage [REDACTED:`, 3 * time.Second},
		{"a line over the cap", "head -c 11000000 /dev/zero | tr '\\0' x; echo; exec sleep 30",
			regexp.MustCompile(`codex wrote 0 malformed and 1 oversized \(over 10485760 bytes\)`), `the first began "` + strings.Repeat("x", faultHeadBytes) + `…"`, 15 * time.Second},
		{"endless junk lines", "exec yes 'junk-line'",
			regexp.MustCompile(`codex wrote [1-9][0-9]* malformed and 0 oversized`), `the first began "junk-line"`, 3 * time.Second},
		{"endless junk without a newline", "yes y | tr -d '\\n'",
			regexp.MustCompile(`codex wrote 0 malformed and 1 oversized`), `the first began "yyyy`, 3 * time.Second},
	}
	// Every script keeps its stdin open without reading it, as a stuck agent would: one that
	// closed it would make the session's first request fail with a broken pipe instead,
	// whenever the shell got there before the request.
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkNoGoroutineLeak(t)
			o := fakeOptions(t, "unused", &recorder{})
			o.Command, o.ReadTimeout = agentScript(t, c.command), c.wait
			o.Events = func(agent.Event) {}
			s := New(o)
			ctx := context.Background()
			defer s.Stop(ctx)
			err := s.Start(ctx)
			if agent.CodeOf(err) != agent.CodeResponseTimeout {
				t.Fatalf("Start = %v, want response_timeout", err)
			}
			msg := err.Error()
			if !c.counts.MatchString(msg) || !strings.Contains(msg, c.head) {
				t.Fatalf("error %q\nwant it to match %s and contain %q", msg, c.counts, c.head)
			}
			if strings.Contains(msg, token) {
				t.Errorf("error quotes the secret: %q", msg)
			}
			if i := strings.Index(msg, "the first began "); len(msg)-i > len("the first began ")+faultHeadBytes+8 {
				t.Errorf("quoted start is not bounded: %q", msg[i:])
			}
		})
	}
}

// agentScript writes body as an executable script, so the --config arguments the session
// appends reach the script rather than the commands in it.
func agentScript(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agent.sh")
	if err := os.WriteFile(path, []byte("#!/bin/bash\n"+body+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	return path
}
