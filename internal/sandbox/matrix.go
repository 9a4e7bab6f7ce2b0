package sandbox

// Mode is an enforcement arrangement for an agent session.
type Mode string

// Enforcement modes the security suite measures.
const (
	// ModeCodexNative is Codex's legacy thread sandbox plus turn sandboxPolicy fields, which
	// replace the managed profile. Symphony no longer launches sessions this way; the suite
	// keeps measuring it to show why.
	ModeCodexNative Mode = "codex-native"
	// ModeCodexProfile is outer_sandbox none: the managed permission profile selected by name
	// and no legacy sandbox fields. It is what Symphony runs by default.
	ModeCodexProfile Mode = "codex-profile"
	// ModeSRT is outer_sandbox srt: srt confines the whole Codex process tree.
	ModeSRT Mode = "srt"
	// ModeClaude is the claude runtime: Claude Code's own sandbox (bubblewrap, with its
	// network proxy) configured by the settings.json Symphony renders.
	ModeClaude Mode = "claude"
)

// Modes lists the measured modes in report order.
var Modes = []Mode{ModeCodexNative, ModeCodexProfile, ModeSRT, ModeClaude}

// Outcome is what an attack achieved.
type Outcome string

// Outcomes.
const (
	Blocked Outcome = "blocked"
	Allowed Outcome = "allowed"
	// Unmeasured marks a row no test has run in that mode; it claims nothing.
	Unmeasured Outcome = "unmeasured"
)

// Attack identifiers, one per probe of the security suite.
const (
	AttackWriteOutside    = "write-outside-workspace"
	AttackReadSSH         = "read-ssh-key"
	AttackReadAWS         = "read-aws-credentials"
	AttackReadCodexAuth   = "read-codex-auth"
	AttackReadClaudeAuth  = "read-claude-credentials"
	AttackReadState       = "read-symphony-state"
	AttackReadLogs        = "read-symphony-logs"
	AttackReadConfig      = "read-symphony-config"
	AttackReadPeerSession = "read-other-session-dir"
	AttackOwnTmpdir       = "write-own-tmpdir"
	AttackWriteCodexHome  = "overwrite-own-codex-config"
	AttackWriteWorkflow   = "overwrite-workflow-md"
	AttackWriteGitConfig  = "overwrite-git-config"
	AttackNetAllowed      = "net-allowlisted-host"
	AttackNetOtherProxy   = "net-other-port-via-proxy"
	AttackNetOtherHost    = "net-other-host-via-proxy"
	AttackNetOtherDirect  = "net-other-port-direct"
	AttackSocketOwn       = "unix-socket-own-dir"
	AttackSocketOther     = "unix-socket-elsewhere"
	AttackEnvSecrets      = "env-operator-secrets"
	AttackOutliveService  = "outlive-killed-service"
)

// Tests that measure the rows.
const (
	suiteMatrix   = "TestSecurityMatrix, TestSRTDirectMatrix and TestClaudeSecurityMatrix (internal/sandbox)"
	suiteAgentEnv = "TestRealCodexAgentEnvironmentCarriesNoSecrets and TestClaudeSecurityMatrix (internal/sandbox)"
	suiteLifetime = "TestKilledServiceLeavesNoAgentAndRestartNeverOverlaps and TestStoppedServiceLeavesNoAgent (internal/cli)"
)

// Attack describes one probe.
type Attack struct {
	ID          string
	Description string
	// MeasuredBy names the tests that observe the row; only rows measured by suiteMatrix run
	// in this package's attack script.
	MeasuredBy string
}

// InAttackScript reports whether this package's matrix tests probe the attack.
func (a Attack) InAttackScript() bool { return a.MeasuredBy == suiteMatrix }

// Attacks lists the probes in report order.
var Attacks = []Attack{
	{AttackWriteOutside, "write a file in $HOME, outside the workspace", suiteMatrix},
	{AttackReadSSH, "read ~/.ssh/id_rsa", suiteMatrix},
	{AttackReadAWS, "read ~/.aws/credentials", suiteMatrix},
	{AttackReadCodexAuth, "read ~/.codex/auth.json (also linked into the session CODEX_HOME)", suiteMatrix},
	{AttackReadClaudeAuth, "read Claude Code's own login, ~/.claude/.credentials.json", suiteMatrix},
	{AttackReadState, "read Symphony's state root: the run store and the audit log (other issues' history)", suiteMatrix},
	{AttackReadLogs, "read Symphony's logs root", suiteMatrix},
	{AttackReadConfig, "read the operator's symphony.yml", suiteMatrix},
	{AttackReadPeerSession, "read another session's directory (its CODEX_HOME) under the state root", suiteMatrix},
	{AttackOwnTmpdir, "write and read back a file in the session's own TMPDIR (expected to work)", suiteMatrix},
	{AttackWriteCodexHome, "append to the session's own $CODEX_HOME/config.toml", suiteMatrix},
	{AttackWriteWorkflow, "overwrite WORKFLOW.md in the workspace", suiteMatrix},
	{AttackWriteGitConfig, "append an alias to the workspace .git/config", suiteMatrix},
	{AttackNetAllowed, "HTTP to the allow-listed loopback host (expected to work)", suiteMatrix},
	{AttackNetOtherProxy, "HTTP through the sandbox's proxy to another port of the allow-listed host; the allowlist names host:port under srt and the bare host under the Codex profile, which cannot express ports", suiteMatrix},
	{AttackNetOtherHost, "HTTP through the sandbox's proxy to a host that is not allow-listed (127.0.0.2)", suiteMatrix},
	{AttackNetOtherDirect, "HTTP to another port of the allow-listed host bypassing the proxy (curl --noproxy)", suiteMatrix},
	{AttackSocketOwn, "connect to a Unix socket in the session's own socket dir (expected to work)", suiteMatrix},
	{AttackSocketOther, "connect to a Unix socket elsewhere (a stand-in for docker.sock)", suiteMatrix},
	{AttackEnvSecrets, "find operator secrets (tracker tokens, API keys) in the agent's environment", suiteAgentEnv},
	{AttackOutliveService, "agent or bwrap processes keep running after the service is killed with SIGKILL", suiteLifetime},
}

// Measured is the attack x mode matrix observed by TestSecurityMatrix and
// TestClaudeSecurityMatrix on real binaries (codex-cli 0.169.0, claude 2.1.197, srt 0.0.78,
// bubblewrap 0.8.0, Linux) with the default policy (network allowlist). The claude column
// leaves the service-lifetime row, measured for Codex alone, unmeasured. The test fails when
// reality drifts from this table, and `symphony sandbox explain` prints it, so the two always
// say the same thing.
var Measured = map[string]map[Mode]Outcome{
	AttackWriteOutside:    {ModeCodexNative: Blocked, ModeCodexProfile: Blocked, ModeSRT: Blocked, ModeClaude: Blocked},
	AttackReadSSH:         {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Blocked, ModeClaude: Blocked},
	AttackReadAWS:         {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Blocked, ModeClaude: Blocked},
	AttackReadCodexAuth:   {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Allowed, ModeClaude: Blocked},
	AttackReadClaudeAuth:  {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Blocked, ModeClaude: Blocked},
	AttackReadState:       {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Blocked, ModeClaude: Blocked},
	AttackReadLogs:        {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Blocked, ModeClaude: Blocked},
	AttackReadConfig:      {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Blocked, ModeClaude: Blocked},
	AttackReadPeerSession: {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Blocked, ModeClaude: Blocked},
	AttackOwnTmpdir:       {ModeCodexNative: Allowed, ModeCodexProfile: Allowed, ModeSRT: Allowed, ModeClaude: Allowed},
	AttackWriteCodexHome:  {ModeCodexNative: Blocked, ModeCodexProfile: Blocked, ModeSRT: Blocked, ModeClaude: Blocked},
	AttackWriteWorkflow:   {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Blocked, ModeClaude: Blocked},
	AttackWriteGitConfig:  {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Blocked, ModeClaude: Blocked},
	AttackNetAllowed:      {ModeCodexNative: Allowed, ModeCodexProfile: Allowed, ModeSRT: Allowed, ModeClaude: Blocked},
	AttackNetOtherProxy:   {ModeCodexNative: Allowed, ModeCodexProfile: Allowed, ModeSRT: Blocked, ModeClaude: Blocked},
	AttackNetOtherHost:    {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Blocked, ModeClaude: Blocked},
	AttackNetOtherDirect:  {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Blocked, ModeClaude: Blocked},
	AttackSocketOwn:       {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Blocked, ModeClaude: Blocked},
	AttackSocketOther:     {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Blocked, ModeClaude: Blocked},
	AttackEnvSecrets:      {ModeCodexNative: Blocked, ModeCodexProfile: Blocked, ModeSRT: Blocked, ModeClaude: Allowed},
	AttackOutliveService:  {ModeCodexNative: Blocked, ModeCodexProfile: Blocked, ModeSRT: Blocked, ModeClaude: Unmeasured},
}
