package prompt

import "strings"

// Prompts name only the scoped tools the session really has: a prompt that sends the agent to
// a tool it lacks wastes turns and invites it to look for raw credentials instead.

// toolList formats tool names for a sentence.
func toolList(tools []string) string {
	quoted := make([]string, len(tools))
	for i, t := range tools {
		quoted[i] = "`" + t + "`"
	}
	return strings.Join(quoted, ", ")
}

// toolNamed returns the session's tool whose name ends in suffix (whatever its tracker prefix),
// or "" when it has none.
func toolNamed(tools []string, suffix string) string {
	for _, t := range tools {
		if strings.HasSuffix(t, "_"+suffix) {
			return t
		}
	}
	return ""
}

// scopedToolsPartial is the text of the built-in scoped_tools partial for a session with tools.
func scopedToolsPartial(tools []string) string {
	if len(tools) == 0 {
		return "## Tools for the tracker\n\n" +
			"This session has no scoped tracker tools. Record progress and hand-off notes in your final\n" +
			"message, and do not look for credentials or CLIs to reach the tracker yourself."
	}
	return "## Tools for the tracker\n\n" +
		"Symphony gives you tools that act only on the current issue: " + toolList(tools) + ".\n\n" +
		"- Use them instead of raw API calls, tokens or CLIs such as `gh`.\n" +
		"- If an operation you need has no tool, note the gap in the workpad and carry on with what\n" +
		"  you can do. Do not look for credentials to work around it."
}
