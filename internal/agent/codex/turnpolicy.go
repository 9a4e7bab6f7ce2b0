package codex

// turnSandboxPolicy copies the configured policy and, for workspaceWrite, makes sure the
// workspace and its git directories are writable roots.
func turnSandboxPolicy(policy map[string]any, workspace string, gitRoots []string) map[string]any {
	out := make(map[string]any, len(policy)+1)
	for k, v := range policy {
		out[k] = v
	}
	if out["type"] != "workspaceWrite" {
		return out
	}
	var roots []string
	seen := map[string]bool{}
	add := func(p string) {
		if p != "" && !seen[p] {
			seen[p] = true
			roots = append(roots, p)
		}
	}
	switch existing := policy["writableRoots"].(type) {
	case []string:
		for _, p := range existing {
			add(p)
		}
	case []any:
		for _, p := range existing {
			if s, ok := p.(string); ok {
				add(s)
			}
		}
	}
	add(workspace)
	for _, p := range gitRoots {
		add(p)
	}
	out["writableRoots"] = roots
	return out
}
