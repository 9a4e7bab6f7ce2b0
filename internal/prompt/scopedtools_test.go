package prompt

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The tool sets a session can have: Linear's names, the neutral names of the other trackers,
// and none.
var (
	linearTools  = []string{"linear_get_current_issue", "linear_get_comments", "linear_update_state", "linear_add_comment", "linear_update_comment"}
	trackerTools = []string{"tracker_get_current_issue", "tracker_get_comments", "tracker_update_state", "tracker_add_comment", "tracker_update_comment"}
)

// toolMention finds a backticked tool name or tool family (`linear_get_comments`, `github_*`);
// boundary tags such as `<linear_...>` start with "<" and are not mentions.
var toolMention = regexp.MustCompile("`((?:linear|tracker|github)_[a-z_]*\\*?)`")

// TestPromptsNameOnlyTheToolsTheSessionHas renders every prompt variant — full and compact, issue
// and pull request, every built-in partial — for each tool set and checks that every tool it
// names is one the session has.
func TestPromptsNameOnlyTheToolsTheSessionHas(t *testing.T) {
	var everyPartial strings.Builder
	for _, p := range Partials {
		args := ""
		for _, v := range p.Vars {
			value := v
			if v == "lockfile" {
				value = `"go.sum"`
			}
			args += ", " + v + ": " + value
		}
		everyPartial.WriteString("{% render \"" + p.Name + "\"" + args + " %}\n")
	}
	for _, set := range []struct {
		name  string
		tools []string
	}{{"linear", linearTools}, {"tracker", trackerTools}, {"none", nil}} {
		b := NewBuilder(Options{Tools: set.tools, Feedback: &FeedbackDelivery{ReviewPolling: true, CIPolling: true}})
		for _, mode := range []Mode{ModeIssue, ModePR} {
			for _, kind := range []string{"codex", "claude"} {
				for _, src := range []string{"", everyPartial.String()} {
					req := fullRequest(t, src)
					req.Mode, req.Agent = mode, mustAgent(t, kind)
					full, err := b.Full(req)
					if err != nil {
						t.Fatalf("%s/%s/%s full: %v", set.name, modeName(mode), kind, err)
					}
					compact, err := b.Compact(req)
					if err != nil {
						t.Fatalf("%s/%s/%s compact: %v", set.name, modeName(mode), kind, err)
					}
					for variant, text := range map[string]string{"full": full.Text, "compact": compact.Text} {
						for _, m := range toolMention.FindAllStringSubmatch(text, -1) {
							if !slices.Contains(set.tools, m[1]) {
								t.Errorf("%s tools, %s %s prompt (%s): names %s, which the session lacks", set.name, modeName(mode), variant, kind, m[0])
							}
						}
					}
					if mode == ModeIssue && len(set.tools) > 0 && !strings.Contains(full.Text, set.tools[0]) {
						t.Errorf("%s tools, %s full prompt (%s) never names the tools the session has", set.name, modeName(mode), kind)
					}
				}
			}
		}
	}
}

func modeName(m Mode) string {
	if m == ModePR {
		return "pr"
	}
	return "issue"
}
