package tools

import (
	"strings"
	"testing"
)

func TestIssueTextTagsNameTheProvider(t *testing.T) {
	for _, provider := range []string{"github", "gitlab", "jira"} {
		t.Run(provider, func(t *testing.T) {
			f := newFixture(t, provider, false)
			cur := call(t, f.host, "tracker_get_current_issue", `{}`)
			if !cur.Success {
				t.Fatalf("get_current_issue failed: %+v", cur.Error)
			}
			out := cur.Output.(map[string]any)
			title, tag := out["title"].(string), provider+"_issue_title"
			if !strings.HasPrefix(title, "<"+tag+">") || strings.Count(title, "</"+tag+">") != 1 || strings.Contains(title, "linear_issue_title") {
				t.Errorf("title is not wrapped once in <%s> with the forged Linear tag removed: %q", tag, title)
			}
			if desc := out["description"].(string); !strings.HasPrefix(desc, "<"+provider+"_issue_body>") {
				t.Errorf("description is not wrapped in <%s_issue_body>: %q", provider, desc)
			}
		})
	}
}
