package config

import (
	"encoding/json"
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

// A channel may subscribe to awaiting_input; a misspelt event is refused at its line, and the
// JSON Schema's description of events names every event a channel may list.
func TestAwaitingInputNotificationEvent(t *testing.T) {
	base := "issues: {provider: memory}\nrepositories: [{key: app}]\nagent: {runtime: codex, command: codex app-server}\nnotifications:\n  channels:\n    - kind: webhook\n      events: [%s]\n"
	c := mustLoad(t, strings.Replace(base, "%s", "awaiting_input", 1), nil)
	if got := c.Notifications.Channels[0].Events; len(got) != 1 || got[0] != "awaiting_input" {
		t.Fatalf("events %v", got)
	}
	_, err := load(t, strings.Replace(base, "%s", "awaiting-input", 1), nil)
	var errs yamlschema.Errors
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Path != "notifications.channels[0].events[0]" || errs[0].Line != 7 {
		t.Fatalf("misspelt event: %v", err)
	}
	raw, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Properties map[string]struct {
			Properties map[string]struct {
				Items struct {
					Properties map[string]struct {
						Description string `json:"description"`
					} `json:"properties"`
				} `json:"items"`
			} `json:"properties"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	desc := schema.Properties["notifications"].Properties["channels"].Items.Properties["events"].Description
	for _, e := range NotificationEvents {
		if !strings.Contains(desc, e) {
			t.Errorf("the schema's description of channels[].events %q does not name %s", desc, e)
		}
	}
}
