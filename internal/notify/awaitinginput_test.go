package notify

import (
	"slices"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/config"
)

// An awaiting_input event reaches the channels subscribed to it (and the ones subscribed to
// everything) once, carrying the question with secrets redacted and its length capped; a
// channel subscribed to other events gets nothing. Slack shows the question too.
func TestAwaitingInputReachesOnlyItsSubscribers(t *testing.T) {
	const secret = "sk-live-0123456789abcdef"
	question := "Which port should the server use? The key is " + secret + " " + strings.Repeat("q", 2000)
	subscribed, everything, other, slack := newReceiver(t), newReceiver(t), newReceiver(t), newReceiver(t)
	h := newHarness(t, subscribed, []config.Channel{
		webhookTo(subscribed.urlAs(t, "example.com", "/asked"), "awaiting_input"),
		webhookTo(everything.urlAs(t, "example.com", "/all")),
		webhookTo(other.urlAs(t, "example.com", "/pr"), "pr_opened", "run_failed"),
		{Kind: "slack", WebhookURL: slack.urlAs(t, "example.com", "/services/T/B/X"), AllowPrivate: true, Events: []string{"awaiting_input"}},
	}, true, secret)
	h.n.Notify(Event{Name: "awaiting_input", IssueIdentifier: "ENG-4", IssueTitle: "Pick a port",
		IssueURL: "https://linear.app/x/ENG-4", Question: question})
	h.drain(t)

	for name, rcv := range map[string]*receiver{"subscribed": subscribed, "everything": everything} {
		got := rcv.payloads(t)
		if !slices.Equal(events(got), []string{"awaiting_input"}) {
			t.Fatalf("%s channel got %v, want one awaiting_input", name, events(got))
		}
		p := got[0]
		q, _ := p["question"].(string)
		if !strings.HasPrefix(q, "Which port should the server use?") || strings.Contains(q, secret) || len(q) != maxFieldLen {
			t.Errorf("%s channel's question is %d bytes, secret present=%v: %.80q", name, len(q), strings.Contains(q, secret), q)
		}
		if p["issue_identifier"] != "ENG-4" || p["state_url"] != "https://linear.app/x/ENG-4" {
			t.Errorf("%s channel's payload %v lacks the issue and its link", name, p)
		}
		if _, ok := p["issue_title"]; ok {
			t.Errorf("redact_titles is set but the title was sent: %v", p)
		}
	}
	if got := other.payloads(t); len(got) != 0 {
		t.Errorf("a channel not subscribed to awaiting_input got %v", events(got))
	}
	sl := slack.payloads(t)
	if len(sl) != 1 {
		t.Fatalf("slack channel got %d messages, want 1", len(sl))
	}
	if text := allText(sl[0]); !strings.Contains(text, "Awaiting input: ENG-4") || !strings.Contains(text, "*Question*\nWhich port should the server use?") {
		t.Errorf("slack message lacks the headline or the question: %.300s", text)
	}
}
