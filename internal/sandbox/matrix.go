package sandbox

// Mode is an enforcement arrangement for a Codex session.
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
)

// Modes lists the measured modes in report order.
var Modes = []Mode{ModeCodexNative, ModeCodexProfile, ModeSRT}

// Outcome is what an attack achieved.
type Outcome string

// Outcomes.
const (
	Blocked Outcome = "blocked"
	Allowed Outcome = "allowed"
)

// Attack identifiers, one per probe of the security suite.
const (
	AttackWriteOutside   = "write-outside-workspace"
	AttackReadSSH        = "read-ssh-key"
	AttackReadAWS        = "read-aws-credentials"
	AttackReadCodexAuth  = "read-codex-auth"
	AttackWriteWorkflow  = "overwrite-workflow-md"
	AttackWriteGitConfig = "overwrite-git-config"
	AttackNetAllowed     = "net-allowlisted-host"
	AttackNetOtherProxy  = "net-other-port-via-proxy"
	AttackNetOtherDirect = "net-other-port-direct"
	AttackSocketOwn      = "unix-socket-own-dir"
	AttackSocketOther    = "unix-socket-elsewhere"
)

// Attack describes one probe.
type Attack struct {
	ID          string
	Description string
}

// Attacks lists the probes in report order.
var Attacks = []Attack{
	{AttackWriteOutside, "write a file in $HOME, outside the workspace"},
	{AttackReadSSH, "read ~/.ssh/id_rsa"},
	{AttackReadAWS, "read ~/.aws/credentials"},
	{AttackReadCodexAuth, "read ~/.codex/auth.json (also linked into the session CODEX_HOME)"},
	{AttackWriteWorkflow, "overwrite WORKFLOW.md in the workspace"},
	{AttackWriteGitConfig, "append an alias to the workspace .git/config"},
	{AttackNetAllowed, "HTTP to an allow-listed 127.0.0.1:port (expected to work)"},
	{AttackNetOtherProxy, "HTTP to a non-allow-listed port on 127.0.0.1 through the sandbox's proxy"},
	{AttackNetOtherDirect, "HTTP to a non-allow-listed port on 127.0.0.1 bypassing the proxy (curl --noproxy)"},
	{AttackSocketOwn, "connect to a Unix socket in the session's own socket dir (expected to work)"},
	{AttackSocketOther, "connect to a Unix socket elsewhere (a stand-in for docker.sock)"},
}

// Measured is the attack x mode matrix observed by TestSecurityMatrix on real binaries
// (codex-cli 0.169.0, srt 0.0.78, bubblewrap 0.8.0, Linux) with the default policy (network
// allowlist). The test fails when reality drifts from this table, and `symphony sandbox
// explain` prints it, so the two always say the same thing.
var Measured = map[string]map[Mode]Outcome{
	AttackWriteOutside:   {ModeCodexNative: Blocked, ModeCodexProfile: Blocked, ModeSRT: Blocked},
	AttackReadSSH:        {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Blocked},
	AttackReadAWS:        {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Blocked},
	AttackReadCodexAuth:  {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Allowed},
	AttackWriteWorkflow:  {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Blocked},
	AttackWriteGitConfig: {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Blocked},
	AttackNetAllowed:     {ModeCodexNative: Allowed, ModeCodexProfile: Allowed, ModeSRT: Allowed},
	AttackNetOtherProxy:  {ModeCodexNative: Allowed, ModeCodexProfile: Allowed, ModeSRT: Blocked},
	AttackNetOtherDirect: {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Blocked},
	AttackSocketOwn:      {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Blocked},
	AttackSocketOther:    {ModeCodexNative: Allowed, ModeCodexProfile: Blocked, ModeSRT: Blocked},
}
