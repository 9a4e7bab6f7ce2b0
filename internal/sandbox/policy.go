package sandbox

// Runtimes and modes understood by this package.
const (
	RuntimeCodex  = "codex"
	RuntimeClaude = "claude"

	NetworkAllowlist = "allowlist"
	NetworkBlock     = "block"
	NetworkOpen      = "open"

	OuterNone = "none"
	OuterSRT  = "srt"
)

// Permissions mirrors the operator's agent.permissions.* keys. Zero values mean "use the
// default"; Resolve fills them in and rejects what cannot work.
type Permissions struct {
	// ApprovalPolicy is the raw agent.permissions.approval_policy value: nil, a string, or a
	// map (the reference's {"reject": {...}} form or Codex's own {"granular": {...}} form).
	ApprovalPolicy any
	Filesystem     Filesystem
	Network        Network
	OuterSandbox   OuterSandbox
}

// Filesystem mirrors agent.permissions.filesystem.
type Filesystem struct {
	Sandbox         string         // Codex SandboxMode; default workspace-write
	TurnPolicy      map[string]any // Codex SandboxPolicy; default workspaceWrite at the workspace
	AllowReadPaths  []string       // exact deny-list entries to lift, or extra readable paths
	AllowWritePaths []string       // extra writable paths (Claude only)
}

// Network mirrors agent.permissions.network.
type Network struct {
	Mode           string // allowlist (default), block, open
	AllowedDomains []string
	DeniedDomains  []string
}

// OuterSandbox mirrors agent.permissions.outer_sandbox.
type OuterSandbox struct {
	Runtime                      string // none (default) or srt
	Command                      string // default "srt"; a shell-like command string
	EnableWeakerNetworkIsolation bool
}

// Input is everything the policy needs to render settings for one agent session.
type Input struct {
	Runtime     string // agent.runtime: codex or claude
	RemoteSSH   bool   // the session runs on an SSH worker
	Permissions Permissions

	Workspace        string   // absolute issue workspace path
	GitMetadataRoots []string // absolute git dirs beyond <workspace>/.git (git-dir, git-common-dir)
	// CodexHome is the session's private CODEX_HOME, when known before launch; its runtime
	// files are then denied to agent commands by name.
	CodexHome string
	// SessionDir is the session's private state directory (CODEX_HOME and TMPDIR live in it):
	// writable under srt, and never re-readable through allow_read_paths.
	SessionDir string
	SocketDir  string // directory holding the session's own Unix sockets, if any
	Home       string // the home directory ~ expands to
	// StateRoot (run store, audit log, session directories), LogsRoot and ConfigFiles (the
	// operator's symphony.yml) are Symphony's own state: every layer denies agent commands
	// reading them, so an agent cannot learn other issues' history or the operator's setup.
	// SessionDir may lie inside StateRoot; it alone stays usable.
	StateRoot   string
	LogsRoot    string
	ConfigFiles []string
	// RuntimeHosts are the hosts ("name" or "name:port") the agent runtime itself must reach,
	// such as its model API; empty means the runtime's public endpoints. srt wraps the whole
	// agent process, so these stay reachable even with network mode block.
	RuntimeHosts []string
}
