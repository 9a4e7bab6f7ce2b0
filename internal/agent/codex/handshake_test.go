package codex

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/symphony-go/symphony/internal/agent/codex/codexfake"
	"github.com/symphony-go/symphony/internal/testenv"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/handshake/*.golden from the current client")

// TestHandshakeBytesMatchGolden pins every byte the client writes to Codex from initialize to
// its last handshake request, for a profile session with tools and developer instructions, a
// legacy-sandbox reviewer and a session without a sandbox mode or a name. The files under
// testdata/handshake were written by the client when it built these messages from maps.
func TestHandshakeBytesMatchGolden(t *testing.T) {
	cases := map[string]func(*Options){
		"profile-tools": func(o *Options) {
			o.PermissionProfile, o.Tools, o.DeveloperInstructions = "symphony", &echoTools{}, "Stay <inside> & be \"brief\"."
			o.ApprovalPolicy = map[string]any{"granular": map[string]any{"sandbox_approval": false, "rules": false, "mcp_elicitations": false}}
		},
		"legacy-reviewer": func(o *Options) {
			o.Kind, o.ThreadSandbox, o.IssueTitle = Reviewer, "workspace-write", "Title with\ttab and </tag>"
		},
		"no-sandbox-no-name": func(o *Options) { o.IssueIdentifier = "" },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			o := fakeOptions(t, codexfake.FakeComplete, &recorder{})
			edit(&o)
			inLog, outLog := filepath.Join(o.StateDir, "in.jsonl"), filepath.Join(o.StateDir, "out.jsonl")
			o.LaunchWrapper = teeWrapper(inLog, outLog)
			s := New(o)
			ctx := context.Background()
			if err := s.Start(ctx); err != nil {
				t.Fatal(err)
			}
			_ = s.Stop(ctx)
			written, err := os.ReadFile(inLog)
			if err != nil {
				t.Fatal(err)
			}
			got := handshakeLines(written)
			got = bytes.ReplaceAll(got, []byte(o.Workspace), []byte("$WS"))
			testenv.Golden(t, filepath.Join("testdata", "handshake", name+".golden"), got, *updateGolden)
		})
	}
}

// handshakeLines are the client's lines up to its thread/start or thread/name/set request,
// whichever comes last: what Stop writes after them depends on timing.
func handshakeLines(written []byte) []byte {
	lines := bytes.SplitAfter(written, []byte("\n"))
	end := 0
	for i, l := range lines {
		if bytes.Contains(l, []byte(`"method":"thread/start"`)) || bytes.Contains(l, []byte(`"method":"thread/name/set"`)) {
			end = i + 1
		}
	}
	return bytes.Join(lines[:end], nil)
}
