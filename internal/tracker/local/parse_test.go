package local

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

const fullIssue = `---
title: Add a health endpoint
state: In Progress
id: 7f1c
priority: 2
labels: [Backend, API]
blocked_by: [LOC-0]
assignee: alice
branch_name: loc-1-health
url: https://example.com/LOC-1
created_at: 2026-01-02T03:04:05Z
---
Expose /healthz.

---
Not front matter.
`

func TestParseIssueFile(t *testing.T) {
	is, err := parseIssueFile("/x/LOC-1.md", "LOC-1", []byte(fullIssue))
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	switch {
	case is.ID != "7f1c", is.Identifier != "LOC-1", is.Title != "Add a health endpoint", is.State != "In Progress":
		t.Fatalf("identity fields wrong: %+v", is)
	case is.Priority == nil || *is.Priority != 2:
		t.Fatalf("priority = %v", is.Priority)
	case !slices.Equal(is.Labels, []string{"backend", "api"}):
		t.Fatalf("labels = %v, want lowercased", is.Labels)
	case len(is.BlockedBy) != 1 || is.BlockedBy[0].Identifier != "LOC-0":
		t.Fatalf("blocked_by = %+v", is.BlockedBy)
	case is.AssigneeID != "alice" || is.BranchName != "loc-1-health" || is.URL != "https://example.com/LOC-1":
		t.Fatalf("optional fields wrong: %+v", is)
	case is.CreatedAt == nil || !is.CreatedAt.Equal(created):
		t.Fatalf("created_at = %v", is.CreatedAt)
	case is.Description != "Expose /healthz.\n\n---\nNot front matter.\n":
		t.Fatalf("description = %q", is.Description)
	}

	minimal, err := parseIssueFile("/x/LOC-2.md", "LOC-2", []byte("---\ntitle: T\nstate: Todo\ncreated_at: 2026-02-03\n---\n"))
	if err != nil {
		t.Fatal(err)
	}
	if minimal.ID != "LOC-2" || minimal.Priority != nil || minimal.Description != "" || minimal.CreatedAt.Day() != 3 {
		t.Fatalf("defaults wrong: %+v", minimal)
	}
}

func TestParseIssueFileErrors(t *testing.T) {
	tests := []struct {
		name, data string
		line       int
		inMsg      string
	}{
		{"no front matter", "title: T\n", 1, `start with a "---" line`},
		{"unclosed front matter", "---\ntitle: T\nstate: Todo\n", 1, "no closing"},
		{"missing title", "---\nstate: Todo\n---\n", 1, "title is required"},
		{"empty state", "---\ntitle: T\nstate: \"\"\n---\n", 3, "state is required"},
		{"unknown key", "---\ntitle: T\nstate: Todo\nasignee: bob\n---\n", 4, "asignee"},
		{"priority not an integer", "---\ntitle: T\nstate: Todo\npriority: high\n---\n", 4, ""},
		{"labels not a list", "---\ntitle: T\nstate: Todo\nlabels: {a: b}\n---\n", 4, ""},
		{"bad created_at", "---\ntitle: T\nstate: Todo\ncreated_at: yesterday\n---\n", 4, "created_at"},
		{"duplicate key", "---\ntitle: T\nstate: Todo\nstate: Done\n---\n", 4, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseIssueFile("/dir/LOC-9.md", "LOC-9", []byte(tt.data))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a ParseError", err)
			}
			if pe.Line != tt.line || !strings.Contains(pe.Msg, tt.inMsg) || !strings.HasPrefix(err.Error(), "/dir/LOC-9.md:") {
				t.Fatalf("err = %q (line %d), want line %d mentioning %q", err, pe.Line, tt.line, tt.inMsg)
			}
		})
	}
}

func TestReplaceStateKeepsEveryOtherByte(t *testing.T) {
	tests := []struct {
		name, before, after string
	}{
		{"plain", "---\ntitle: T\nstate: Todo\n---\nbody\n", "---\ntitle: T\nstate: In Progress\n---\nbody\n"},
		{"trailing comment and spacing", "---\ntitle:   T   \nstate:   Todo   # set by hand\nlabels: [a]\n---\n\nbody\n", "---\ntitle:   T   \nstate:   In Progress   # set by hand\nlabels: [a]\n---\n\nbody\n"},
		{"single quoted", "---\nstate: 'To do'\ntitle: T\n---\n", "---\nstate: In Progress\ntitle: T\n---\n"},
		{"double quoted with escape", "---\nstate: \"Todo \\\"x\\\"\" # c\ntitle: T\n---\n", "---\nstate: In Progress # c\ntitle: T\n---\n"},
		{"CRLF line endings", "---\r\ntitle: T\r\nstate: Todo\r\n---\r\nbody\r\n", "---\r\ntitle: T\r\nstate: In Progress\r\n---\r\nbody\r\n"},
		{"nested state key left alone", "---\ntitle: T\nmeta:\n  state: x\nstate: Todo\n---\n", "---\ntitle: T\nmeta:\n  state: x\nstate: In Progress\n---\n"},
		{"state in body left alone", "---\ntitle: T\nstate: Todo\n---\nstate: Todo\n", "---\ntitle: T\nstate: In Progress\n---\nstate: Todo\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := replaceState([]byte(tt.before), "In Progress")
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.after {
				t.Fatalf("got\n%q\nwant\n%q", got, tt.after)
			}
		})
	}
	for _, s := range []string{"yes", "Done: really", "#1", " padded", "100"} {
		out, err := replaceState([]byte("---\ntitle: T\nstate: Todo\n---\n"), s)
		if err != nil {
			t.Fatal(err)
		}
		is, err := parseIssueFile("p", "X-1", out)
		if err != nil || is.State != strings.TrimSpace(s) {
			t.Fatalf("state %q written as %q reads back as %q (%v)", s, out, is.State, err)
		}
	}
	if _, err := replaceState([]byte("---\ntitle: T\nstate: |\n  Todo\n---\n"), "Done"); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("block scalar state must be refused naming its line: %v", err)
	}
}

func FuzzParseIssueFile(f *testing.F) {
	f.Add([]byte(fullIssue))
	f.Add([]byte("---\ntitle: T\nstate: Todo\n---\n"))
	f.Add([]byte("---\r\ntitle: T\r\nstate: 'Todo' # x\r\n---\r\n"))
	f.Add([]byte("---\ntitle: T\nstate: |\n  Todo\n---\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("no front matter"))
	f.Fuzz(func(t *testing.T, data []byte) {
		is, err := parseIssueFile("fuzz/X-1.md", "X-1", data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a ParseError: %v", err)
			}
			return
		}
		if is.Title == "" || is.State == "" {
			t.Fatalf("parsed without title or state: %+v", is)
		}
		updated, err := replaceState(data, "Review Ready")
		if err != nil {
			return
		}
		again, err := parseIssueFile("fuzz/X-1.md", "X-1", updated)
		if err != nil {
			t.Fatalf("state rewrite broke a valid file: %v\nbefore %q\nafter  %q", err, data, updated)
		}
		if again.State != "Review Ready" || again.Title != is.Title || again.Description != is.Description || !slices.Equal(again.Labels, is.Labels) {
			t.Fatalf("state rewrite changed more than the state:\nbefore %+v\nafter  %+v", is, again)
		}
	})
}
