package claude

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/agent/claude/claudetest"
)

// A session kept by one Session is continued by the first turn of a later one in the same
// workspace and config dir: the model sees the earlier prompt. A kept session whose
// transcript is gone starts a new conversation and ResumeErr says why.
func TestRealKeptSessionIsResumedByTheNextSession(t *testing.T) {
	t.Parallel()
	noted := func(claudetest.Request) claudetest.Reply { return claudetest.Reply{Text: "noted"} }
	asking := realSession(t, noted, nil)
	if _, err := asking.turn(t, "ASKING-PROMPT"); err != nil {
		t.Fatal(err)
	}
	kept, err := asking.session.KeepThread(t.TempDir())
	if err != nil || kept.ThreadID == "" {
		t.Fatalf("KeepThread = %+v, %v", kept, err)
	}
	if err := asking.session.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	sameHome := func(id string) func(*Options, *harness) {
		return func(o *Options, _ *harness) {
			o.WorkspaceRoot, o.Workspace = filepath.Dir(asking.workspace), asking.workspace
			o.Settings, o.ResumeSession = asking.session.opts.Settings, id
			for i, kv := range o.Env {
				switch {
				case strings.HasPrefix(kv, "HOME="):
					o.Env[i] = "HOME=" + asking.home
				case strings.HasPrefix(kv, "CLAUDE_CONFIG_DIR="):
					o.Env[i] = "CLAUDE_CONFIG_DIR=" + filepath.Join(asking.home, ".claude")
				}
			}
		}
	}
	for _, c := range []struct {
		name, id string
		resumed  bool
	}{
		{"kept", kept.ThreadID, true},
		{"gone", "00000000-0000-4000-8000-000000000000", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := realSession(t, noted, sameHome(c.id))
			if err := h.session.ResumeErr(); (err == nil) != c.resumed {
				t.Fatalf("ResumeErr = %v, want resumed=%v", err, c.resumed)
			}
			if _, err := h.turn(t, "REPLY-PROMPT"); err != nil {
				t.Fatal(err)
			}
			reqs := h.mock.Requests()
			sawAsking := false
			for _, r := range reqs {
				if strings.Contains(r.Text, "REPLY-PROMPT") && strings.Contains(r.Conversation, "ASKING-PROMPT") {
					sawAsking = true
				}
			}
			if sawAsking != c.resumed {
				t.Errorf("the reply turn's request carried the asking prompt = %v, want %v", sawAsking, c.resumed)
			}
		})
	}
}
