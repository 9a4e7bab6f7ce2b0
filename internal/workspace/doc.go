// Package workspace owns the per-issue directories every agent run happens in: turning issue
// identifiers into safe directory names, keeping every path inside the workspace root (even when
// a component has been swapped for a symlink), populating new workspaces as plain directories or
// git worktrees, running the lifecycle hooks, and reclaiming workspaces (terminal issues, orphans,
// age) while reporting when the root's filesystem is too full to dispatch.
//
// Layout: <root>/<repo dir>/<issue key>, where the repo dir is the repo key with every character
// outside [A-Za-z0-9._-] replaced by "_" and the issue key comes from Key.
//
// Hook environment. Hooks run as `bash -lc <script>` (or `sh -lc` when bash is absent) with the
// workspace as working directory, in their own process group. They inherit Symphony's environment
// minus anything that looks like a credential (LINEAR_API_KEY, OPENAI_API_KEY, ANTHROPIC_API_KEY,
// GITHUB_TOKEN, GH_TOKEN and every name ending in _TOKEN, _API_KEY, _SECRET or _PASSWORD), plus:
//
//	SYMPHONY_HOOK                 after_create, before_run, after_run or before_remove
//	SYMPHONY_ISSUE_ID             tracker issue ID (empty for orphans found on disk)
//	SYMPHONY_ISSUE_IDENTIFIER     human identifier such as ENG-123 (empty for orphans)
//	SYMPHONY_REPO_KEY             repository route key
//	SYMPHONY_WORKSPACE            absolute workspace path (also the working directory)
//	SYMPHONY_WORKSPACE_KEY        the directory name under the repo directory
//	SYMPHONY_WORKSPACE_STRATEGY   clone or worktree
//	SYMPHONY_BRANCH               auto/<identifier> for worktree workspaces, else empty
//
// Callers may add variables per run (for example SYMPHONY_VERIFICATION_PORT); the credential
// filter applies to those too. A login shell reads the operator's profile files, which may export
// variables of their own: that is the operator's choice and outside this filter.
package workspace
