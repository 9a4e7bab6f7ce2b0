package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/yamlschema"
)

// agent.human_input defaults to the "Needs Input" state and refuses a waiting state that is
// active or terminal, naming the key and its line.
func TestHumanInputState(t *testing.T) {
	base := "issues: {provider: memory}\nrepositories: [{key: app}]\nagent:\n  runtime: codex\n  command: codex app-server\n"
	c := mustLoad(t, base, nil)
	if h := c.Agent.HumanInput; h.State != "Needs Input" || h.ResumeOnReply || h.AcceptBotReplies {
		t.Fatalf("defaults %+v", h)
	}
	c = mustLoad(t, base+"  human_input: {state: Blocked, resume_on_reply: true}\n", nil)
	if h := c.Agent.HumanInput; h.State != "Blocked" || !h.ResumeOnReply {
		t.Fatalf("loaded %+v", h)
	}
	for _, state := range []string{"in progress", "Done", `""`} {
		_, err := load(t, base+"  human_input:\n    state: "+state+"\n", nil)
		var errs yamlschema.Errors
		if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Path != "agent.human_input.state" || errs[0].Line != 7 {
			t.Fatalf("state %s: %v", state, err)
		}
		if state != `""` && !strings.Contains(errs[0].Msg, "active or terminal") {
			t.Fatalf("state %s: %v", state, err)
		}
	}
}
