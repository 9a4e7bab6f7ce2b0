package cli

import (
	"testing"

	"github.com/symphony-go/symphony/internal/notify"
	"github.com/symphony-go/symphony/internal/prwatch"
)

type recordedNotices struct{ events []notify.Event }

func (r *recordedNotices) Notify(e notify.Event) { r.events = append(r.events, e) }

// Every poller event is audited; the four an operator can subscribe to are also notified,
// under the notification names of docs/notifications.md.
func TestPollerEventsAreAuditedAndTheSubscribableOnesNotified(t *testing.T) {
	var audited []string
	notices := &recordedNotices{}
	events := pollerEvents(func(e prwatch.Event) { audited = append(audited, e.Kind) }, notices)
	for _, kind := range []string{"rework_requested", "rework_pushed", "ci_failed", "ci_escalated", "poller_degraded", "pr_merged"} {
		events(prwatch.Event{Kind: kind, RepoKey: "web", IssueID: "id-1", Identifier: "ENG-1", PRURL: "https://github.com/o/r/pull/7", Detail: "d"})
	}
	if len(audited) != 6 {
		t.Fatalf("audited %v, want every event", audited)
	}
	var names []string
	for _, e := range notices.events {
		names = append(names, e.Name)
		if e.IssueIdentifier != "ENG-1" || e.PRURL != "https://github.com/o/r/pull/7" || e.RepoKey != "web" {
			t.Errorf("notification %+v lost the event's issue or pull request", e)
		}
	}
	want := []string{"reviewer_commented", "rework_pushed", "ci_failed", "ci_escalated"}
	if len(names) != len(want) {
		t.Fatalf("notified %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("notified %v, want %v", names, want)
		}
	}
	for _, name := range want {
		known := false
		for _, e := range notify.Events() {
			known = known || e == name
		}
		if !known {
			t.Errorf("%s is not a notification event the notifier knows", name)
		}
	}
}
