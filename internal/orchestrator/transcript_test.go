package orchestrator

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent"
	"github.com/symphony-go/symphony/internal/agent/agenttest"
)

func TestTranscriptKeepsRecentRedactedEventsPerIssue(t *testing.T) {
	gate := make(chan struct{})
	defer close(gate)
	redact := func(s string) string { return strings.ReplaceAll(s, "sk-secret", "[REDACTED]") }
	h := newHarness(t, func(c *harnessConfig) { c.redact = redact; c.settings.TranscriptEvents = 3 })
	long := strings.Repeat("é", transcriptMessageBytes)
	h.agents.Script("ENG-1", agenttest.Script{Turns: []agenttest.Turn{{
		Emit: []agent.Event{
			{Kind: agent.EventOtherMessage, Message: "first"},
			{Kind: agent.EventToolCall, Message: "token sk-secret used"},
			{Kind: agent.EventOtherMessage, Message: long},
		},
		Tokens: 10,
		Wait:   gate,
	}}})
	h.put(newIssue(1, "In Progress"))
	h.start()
	var tr Transcript
	h.eventually("three transcript events", func() bool {
		var ok bool
		tr, ok = h.o.Transcript("ENG-1")
		return ok && len(tr.Events) == 3 && tr.Events[2].Message != "first"
	})
	if tr.IssueID != "id-1" || tr.Identifier != "ENG-1" {
		t.Fatalf("transcript names %q/%q", tr.IssueID, tr.Identifier)
	}
	kinds := []agent.EventKind{tr.Events[0].Kind, tr.Events[1].Kind, tr.Events[2].Kind}
	// The session start and the turn notification fell out of the 3-event ring; token usage
	// never enters it.
	if kinds[0] != agent.EventOtherMessage || kinds[1] != agent.EventToolCall || kinds[2] != agent.EventOtherMessage {
		t.Fatalf("kinds %v", kinds)
	}
	if tr.Events[1].Message != "token [REDACTED] used" {
		t.Errorf("message %q, want the secret redacted", tr.Events[1].Message)
	}
	if m := tr.Events[2].Message; len(m) > transcriptMessageBytes+len("…") || !strings.HasSuffix(m, "…") || !utf8Valid(m) {
		t.Errorf("long message kept %d bytes, want it cut at a rune boundary", len(m))
	}
	if _, ok := h.o.Transcript("id-1"); !ok {
		t.Error("transcript not found by issue id")
	}
	if _, ok := h.o.Transcript("ENG-404"); ok {
		t.Error("transcript found for an unknown issue")
	}
	off := newTranscripts(0, nil)
	off.add(newIssue(1, "Todo"), "", "", &agent.Event{Kind: agent.EventOtherMessage, Message: "x"}, time.Now())
	if _, ok := off.get("ENG-1"); ok {
		t.Error("a transcript size of 0 kept events")
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func TestTranscriptRingsAreBoundedInIssuesAndBytes(t *testing.T) {
	tr := newTranscripts(1000, nil)
	at := time.Unix(0, 0)
	for i := range transcriptIssues + 5 {
		tr.add(newIssue(i, "Todo"), "", "", &agent.Event{Kind: agent.EventOtherMessage, Message: "x"}, at.Add(time.Duration(i)*time.Second))
	}
	if n := len(tr.byIssue); n != transcriptIssues {
		t.Fatalf("%d rings, want %d", n, transcriptIssues)
	}
	if _, ok := tr.get("ENG-0"); ok {
		t.Error("the least recently updated ring was kept")
	}
	big := newIssue(9999, "Todo")
	for range 200 {
		tr.add(big, "", "", &agent.Event{Kind: agent.EventOtherMessage, Message: strings.Repeat("a", transcriptMessageBytes)}, at.Add(time.Hour))
	}
	got, _ := tr.get(big.Identifier)
	bytes := 0
	for _, e := range got.Events {
		bytes += len(e.Message)
	}
	if bytes > transcriptIssueBytes || len(got.Events) == 0 {
		t.Fatalf("ring holds %d bytes in %d events, want at most %d", bytes, len(got.Events), transcriptIssueBytes)
	}
}

// A ring keeps its newest events in order however often it wraps, and its buffer never grows
// past the ring's size.
func TestTranscriptRingWrapsInOrderWithinItsSize(t *testing.T) {
	for _, c := range []struct{ size, pushed int }{{size: 1, pushed: 3}, {size: 3, pushed: 2}, {size: 5, pushed: 12}, {size: 20, pushed: 47}} {
		tr := newTranscripts(c.size, nil)
		is := newIssue(1, "Todo")
		for i := range c.pushed {
			tr.add(is, "", "", &agent.Event{Kind: agent.EventOtherMessage, Message: fmt.Sprint(i)}, time.Unix(int64(i), 0))
		}
		got, _ := tr.get(is.Identifier)
		var want []string
		for i := max(0, c.pushed-c.size); i < c.pushed; i++ {
			want = append(want, fmt.Sprint(i))
		}
		var msgs []string
		for _, e := range got.Events {
			msgs = append(msgs, e.Message)
		}
		if !slices.Equal(msgs, want) {
			t.Errorf("size %d after %d events: kept %v, want %v", c.size, c.pushed, msgs, want)
		}
		if n := len(tr.byIssue[is.ID].events); n > c.size {
			t.Errorf("size %d: buffer holds %d slots", c.size, n)
		}
	}
}

// A ring grows by doubling up to its size, with one allocation a step: it moves its events
// into the larger buffer instead of copying them out first.
func TestTranscriptRingGrowsWithOneAllocationAStep(t *testing.T) {
	const size = 64
	allocs := testing.AllocsPerRun(20, func() {
		var r transcriptRing
		for i := range size {
			r.push(TranscriptEvent{Message: "m", Kind: agent.EventOtherMessage, At: time.Unix(int64(i), 0)}, size)
		}
	})
	if allocs != 4 { // 8, 16, 32, 64 slots
		t.Fatalf("filling a ring of %d took %.0f allocations, want 4", size, allocs)
	}
}
