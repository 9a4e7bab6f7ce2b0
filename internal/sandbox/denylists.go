package sandbox

// sharedDenyRead lists credential stores, admin state and shell files no agent command may
// read. Entries are home-relative ("~/...") or absolute; rendering adds the expanded form of
// every "~/" entry so a layer that compares already-expanded paths still matches.
var sharedDenyRead = []string{
	"/Volumes",
	"/media",
	"~/.ssh",
	"~/.config/gh",
	"~/.aws",
	"~/.gnupg",
	"~/.docker",
	"~/.netrc",
	"~/.git-credentials",
	"~/.npmrc",
	"~/.cargo/credentials",
	"~/.cargo/credentials.toml",
	"~/.config/op",
	"~/.config/gcloud",
	"~/.azure",
	"~/.kube",
	"~/Library/Application Support",
	"~/Library/Keychains",
	"~/Library/Preferences",
	"~/.claude/.credentials.json",
	"~/.claude/projects",
	"~/.claude/file-history",
	"~/.claude/CLAUDE.md",
	"~/.claude/agents",
	"~/.claude/commands",
	"~/.claude/hooks",
	"/etc/sudoers",
	"/etc/sudoers.d",
	"/private/etc/sudoers",
	"/private/etc/sudoers.d",
	"/var/root",
	"~/.zshrc",
	"~/.zshenv",
	"~/.zprofile",
	"~/.bashrc",
	"~/.bash_profile",
	"~/.bash_login",
	"~/.profile",
	"~/.bash_history",
	"~/.zsh_history",
	"~/.history",
	"~/.python_history",
	"~/.node_repl_history",
	"~/.psql_history",
	"~/.mysql_history",
}

// codexRuntimeFiles are the files in any CODEX_HOME that hold credentials, configuration or
// operator instructions. The Codex process reads them itself; commands it runs must not, and
// no allow_read_paths entry can lift that.
var codexRuntimeFiles = []string{
	"auth.json",
	"config.toml",
	"AGENTS.md",
	"cloud-requirements-cache.json",
}

// operatorCodexHome is where an operator's own Codex credentials live; sessions use a private
// CODEX_HOME, so nothing under here is needed by an agent.
const operatorCodexHome = "~/.codex"

// workspaceWriteDeny are workspace-relative guardrail files: the workflow contract, Symphony's
// own config, agent runtime settings and tool-version pins an agent could use to change its own
// rules or what runs after it.
var workspaceWriteDeny = []string{
	"WORKFLOW.md",
	"symphony.yml",
	"symphony.local.yml",
	".claude/settings.json",
	".claude/settings.local.json",
	".claude/CLAUDE.md",
	".claude/agents",
	".claude/commands",
	".claude/hooks",
	".codex",
	".mcp.json",
	"mise.toml",
	".mise.toml",
	".tool-versions",
}

// homeWriteDeny are files outside the workspace that would persist code or configuration into
// the operator's next login, next git command or next agent session.
var homeWriteDeny = []string{
	"~/.zshrc",
	"~/.zshenv",
	"~/.zprofile",
	"~/.bashrc",
	"~/.bash_profile",
	"~/.bash_login",
	"~/.profile",
	"~/.gitconfig",
	"~/.config/git",
	"~/Library/LaunchAgents",
	"~/Library/LaunchDaemons",
	"~/.config/systemd/user",
	"~/.config/autostart",
	"~/.claude/CLAUDE.md",
	"~/.claude/settings.json",
	"~/.claude/settings.local.json",
	"~/.claude/agents",
	"~/.claude/commands",
	"~/.claude/hooks",
	"~/.claude/plugins",
	"~/.claude/skills",
	"~/.mcp.json",
}

// gitMetadataWriteDeny are the entries inside every writable git metadata root that could run
// code (hooks, config aliases and filters) or rewrite refs wholesale; objects and loose refs
// stay writable so add, commit and fetch keep working.
var gitMetadataWriteDeny = []string{
	"config",
	"config.worktree",
	"hooks",
	"info",
	"packed-refs",
	"worktrees/*/config",
	"worktrees/*/config.worktree",
}

// runtimeBuiltinWriteDeny are the entries srt 0.0.78, and the copy of it inside Claude Code,
// deny writing on their own in the directory they start in, the workspace (DANGEROUS_FILES
// and getDangerousDirectories in its sandbox-utils.js). Symphony does not render them, nor
// claudeBuiltinWriteDeny; it lists them only to know where those runtimes may leave mount
// points (see mountpoints.go).
var runtimeBuiltinWriteDeny = []string{
	".gitconfig",
	".gitmodules",
	".bashrc",
	".bash_profile",
	".zshrc",
	".zprofile",
	".profile",
	".ripgreprc",
	".mcp.json",
	".vscode",
	".idea",
	".claude/commands",
	".claude/agents",
}

// claudeBuiltinWriteDeny are the entries Claude Code (the pinned version) adds to its
// sandbox's write denies on its own, relative to the workspace: its project settings, skills,
// hooks and scheduled work, and, when .git is a directory, the git config lock and worktree
// config files (read from its bundled source, where the list is built).
var claudeBuiltinWriteDeny = []string{
	".claude/settings.json",
	".claude/settings.local.json",
	".claude/skills",
	".claude/hooks",
	".claude/agents",
	".claude/commands",
	".claude/launch.json",
	".claude/workflows",
	".claude/routines",
	".claude/scheduled_tasks.json",
	".mcp.json",
	".git/hooks",
	".git/config",
	".git/config.lock",
	".git/config.worktree",
	".git/worktrees/*/config.worktree",
}
