package sandbox

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// approvalAutoApproveAll is Symphony's own value: Codex is told "never" and the adapter
// answers every approval request itself, so unattended runs are an explicit choice.
const approvalAutoApproveAll = "auto_approve_all"

// granularKeys are the categories Codex's granular approval policy understands (0.169.0
// schema, AskForApproval.granular). false means "reject without asking".
var granularKeys = []string{"sandbox_approval", "rules", "skill_approval", "request_permissions", "mcp_elicitations"}

// codexApprovalStrings are the string policies the installed Codex accepts other than
// "never", which Symphony rejects in favour of auto_approve_all.
var codexApprovalStrings = []string{"untrusted", "on-request"}

// defaultCodexApproval rejects every approval prompt category: with no human watching, a
// prompt could only stall the turn or be approved blindly.
func defaultCodexApproval() map[string]any {
	g := make(map[string]any, len(granularKeys))
	for _, k := range granularKeys {
		g[k] = false
	}
	return map[string]any{"granular": g}
}

// resolveApproval maps agent.permissions.approval_policy to the Codex wire value and whether
// the adapter must approve everything itself.
func resolveApproval(runtime string, raw any) (wire any, autoApproveAll bool, err error) {
	const field = "agent.permissions.approval_policy"
	if runtime != RuntimeCodex {
		if raw != nil && raw != "never" {
			return nil, false, errf(CodeInvalidApprovalPolicy, field, "%s sessions only support \"never\" (permissions come from the generated settings), got %v", runtime, raw)
		}
		return "never", false, nil
	}
	switch v := raw.(type) {
	case nil:
		return defaultCodexApproval(), false, nil
	case string:
		s := strings.TrimSpace(v)
		switch {
		case s == "never":
			return nil, false, errf(CodeNeverApprovalForCodex, field, `"never" is not accepted for codex; set "auto_approve_all" to approve every request unattended`)
		case s == approvalAutoApproveAll:
			return "never", true, nil
		case slices.Contains(codexApprovalStrings, s):
			return s, false, nil
		}
		return nil, false, errf(CodeInvalidApprovalPolicy, field, "unknown policy %q; use one of %s, %s or a reject/granular map", v, strings.Join(codexApprovalStrings, ", "), approvalAutoApproveAll)
	case map[string]any:
		return resolveApprovalMap(field, v)
	}
	return nil, false, errf(CodeInvalidApprovalPolicy, field, "must be a string or a map, got %T", raw)
}

// resolveApprovalMap accepts the reference's {"reject": {category: true}} form, translating it
// to Codex's {"granular": {category: false}}, or Codex's granular form as is. Categories not
// named are rejected (false) in both forms.
func resolveApprovalMap(field string, m map[string]any) (any, bool, error) {
	if len(m) != 1 {
		return nil, false, errf(CodeInvalidApprovalPolicy, field, "a map policy needs exactly one key, reject or granular; got %v", slices.Sorted(maps.Keys(m)))
	}
	form := slices.Collect(maps.Keys(m))[0]
	body := m[form]
	if form != "reject" && form != "granular" {
		return nil, false, errf(CodeInvalidApprovalPolicy, field, "unknown map form %q; use reject or granular", form)
	}
	cats, ok := body.(map[string]any)
	if !ok {
		return nil, false, errf(CodeInvalidApprovalPolicy, field+"."+form, "must be a map of category to boolean, got %T", body)
	}
	g := defaultCodexApproval()["granular"].(map[string]any)
	for cat, val := range cats {
		b, ok := val.(bool)
		if !ok {
			return nil, false, errf(CodeInvalidApprovalPolicy, fmt.Sprintf("%s.%s.%s", field, form, cat), "must be true or false, got %T", val)
		}
		if !slices.Contains(granularKeys, cat) {
			return nil, false, errf(CodeInvalidApprovalPolicy, fmt.Sprintf("%s.%s", field, form), "unknown category %q; known: %s", cat, strings.Join(granularKeys, ", "))
		}
		if form == "reject" {
			b = !b
		}
		g[cat] = b
	}
	return map[string]any{"granular": g}, false, nil
}

// granularWords name the approval categories in an operator's terms.
var granularWords = map[string]string{
	"sandbox_approval":    "running commands outside the sandbox",
	"rules":               "exec-policy rule prompts",
	"skill_approval":      "skill approvals",
	"request_permissions": "requests for extra permissions",
	"mcp_elicitations":    "MCP elicitations",
}

// approvalSummary says in words what happens when the agent wants more than its sandbox
// gives. Symphony's Codex adapter declines every request it is asked about unless
// auto_approve_all is set, because no human watches the session.
func (p *Policy) approvalSummary() string {
	const refused = "commands outside the sandbox are refused"
	if p.Runtime != RuntimeCodex {
		return "the agent is never asked; its permissions come from the generated Claude settings and anything beyond them is refused"
	}
	if p.AutoApproveAll {
		return "auto_approve_all: Symphony approves every request itself, so a command the agent asks to run outside the sandbox does run"
	}
	if v, ok := p.ApprovalPolicy.(string); ok {
		return fmt.Sprintf("Codex policy %q: Codex may ask before running commands, and Symphony declines every request (no human watches); %s", v, refused)
	}
	// resolveApproval produces a string or the granular map, nothing else.
	m, _ := p.ApprovalPolicy.(map[string]any)
	g, _ := m["granular"].(map[string]any)
	var refuse, ask []string
	for _, k := range granularKeys {
		if b, _ := g[k].(bool); b {
			ask = append(ask, granularWords[k])
		} else {
			refuse = append(refuse, granularWords[k])
		}
	}
	if len(ask) == 0 {
		return "the agent is never asked: Codex refuses every approval request itself (" + strings.Join(refuse, ", ") + "); " + refused
	}
	s := "Codex asks Symphony about " + strings.Join(ask, ", ") + " and Symphony declines (no human watches)"
	if len(refuse) > 0 {
		s += "; Codex refuses " + strings.Join(refuse, ", ") + " itself"
	}
	return s + "; " + refused
}
