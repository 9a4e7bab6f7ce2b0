package github

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestParseBlockers(t *testing.T) {
	cases := []struct {
		name, body string
		want       []issueRef
	}{
		{"blocked by line", "Blocked by #12 and #14.\n", []issueRef{{"", 12}, {"", 14}}},
		{"depends on other repo", "depends on: octo/lib#3\n", []issueRef{{"octo/lib", 3}}},
		{"url", "Blocked by https://github.com/octo/lib/issues/9\n", []issueRef{{"octo/lib", 9}}},
		{"unchecked task", "- [ ] #5 first\n- [x] #6 done\n* [ ] octo/lib#7 and #8\n", []issueRef{{"", 5}, {"octo/lib", 7}}},
		{"mention is not a blocker", "See #4 for context; fixes #5.\n", nil},
		{"reference before the phrase is not a blocker", "#3 is blocked by #2\n", []issueRef{{"", 2}}},
		{"code fence skipped", "```\nblocked by #1\n```\nblocked by #2\n", []issueRef{{"", 2}}},
		{"duplicates once", "blocked by #2\n- [ ] #2\n", []issueRef{{"", 2}}},
		{"anchors and zero ignored", "blocked by #0 and x#5 and /#6 and #7\n", []issueRef{{"", 7}}},
		{"no blockers", "Just a description.\n", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseBlockers(tc.body); !slices.Equal(got, tc.want) {
				t.Fatalf("parseBlockers(%q) = %v, want %v", tc.body, got, tc.want)
			}
		})
	}
}

func TestParseBlockersIsBounded(t *testing.T) {
	var b strings.Builder
	for i := range 2 * maxBlockers {
		fmt.Fprintf(&b, "- [ ] #%d\n", i+1)
	}
	if got := parseBlockers(b.String()); len(got) != maxBlockers || got[maxBlockers-1] != (issueRef{"", maxBlockers}) {
		t.Fatalf("got %d blockers, want the first %d", len(got), maxBlockers)
	}
	late := strings.Repeat("x", maxBodyScanBytes) + "\nblocked by #7\n"
	if got := parseBlockers(late); len(got) != 0 {
		t.Fatalf("a blocker past the %d-byte scan limit was read: %v", maxBodyScanBytes, got)
	}
}

func FuzzParseBlockers(f *testing.F) {
	for _, seed := range []string{"blocked by #1", "- [ ] octo/lib#2", "```\n#3\n```", "depends on https://github.com/a/b/issues/4", "- [ ] #99999999999"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		refs := parseBlockers(body)
		if len(refs) > maxBlockers {
			t.Fatalf("%d blockers, more than %d", len(refs), maxBlockers)
		}
		seen := map[issueRef]bool{}
		for _, r := range refs {
			if r.Number <= 0 || seen[r] || strings.ContainsAny(r.Repo, " #\n") {
				t.Fatalf("bad or duplicate reference %+v in %v", r, refs)
			}
			seen[r] = true
		}
	})
}
