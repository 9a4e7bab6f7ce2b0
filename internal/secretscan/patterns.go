package secretscan

import "regexp"

// pattern is one high-confidence credential shape. When group is non-zero only that submatch
// is the secret, so the surrounding label ("Authorization: Bearer", "API_TOKEN=") stays
// readable after redaction.
type pattern struct {
	kind  string
	re    *regexp.Regexp
	group int
}

// Kinds reported by Find. They are stable: the audit log and tool refusals record them.
const (
	KindAnthropicAPIKey   = "anthropic_api_key"
	KindOpenAIAPIKey      = "openai_api_key"
	KindGitHubToken       = "github_token"
	KindSlackToken        = "slack_token"
	KindLinearAPIKey      = "linear_api_key"
	KindAWSAccessKeyID    = "aws_access_key_id"
	KindGoogleAPIKey      = "google_api_key"
	KindNPMToken          = "npm_token"
	KindGitLabToken       = "gitlab_token"
	KindStripeSecretKey   = "stripe_secret_key"
	KindPrivateKeyBlock   = "private_key_block"
	KindJWT               = "jwt"
	KindBearerToken       = "bearer_token"
	KindSecretAssignment  = "secret_assignment"
	KindConfiguredSecret  = "configured_secret"
	redactedMarkerPrefix  = "[REDACTED:"
	secretAssignmentGroup = 1
)

var markerOnly = regexp.MustCompile(`^\[REDACTED:[a-z_]+\]$`)

// privateKeyHeader finds the opening line of a key block; a header with no matching footer
// (a log cut off mid-key) still leaks key material, so everything after it is treated as secret.
var privateKeyHeader = regexp.MustCompile(`-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----`)

// patterns are deliberately narrow: each one requires a vendor prefix, a fixed structure or an
// explicit secret-looking label, so ordinary prose and code are left alone.
var patterns = []pattern{
	{kind: KindAnthropicAPIKey, re: regexp.MustCompile(`\bsk-ant-[A-Za-z0-9_-]{20,}`)},
	{kind: KindOpenAIAPIKey, re: regexp.MustCompile(`\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}`)},
	{kind: KindOpenAIAPIKey, re: regexp.MustCompile(`\bsk-[A-Za-z0-9]{48}\b`)},
	{kind: KindGitHubToken, re: regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{30,}`)},
	{kind: KindGitHubToken, re: regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{40,}`)},
	{kind: KindSlackToken, re: regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{10,}`)},
	{kind: KindSlackToken, re: regexp.MustCompile(`\bxapp-[A-Za-z0-9-]{20,}`)},
	{kind: KindLinearAPIKey, re: regexp.MustCompile(`\blin_(?:api|oauth)_[A-Za-z0-9]{32,}`)},
	{kind: KindAWSAccessKeyID, re: regexp.MustCompile(`\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b`)},
	{kind: KindGoogleAPIKey, re: regexp.MustCompile(`\bAIza[A-Za-z0-9_-]{35}`)},
	{kind: KindNPMToken, re: regexp.MustCompile(`\bnpm_[A-Za-z0-9]{36}`)},
	{kind: KindGitLabToken, re: regexp.MustCompile(`\bglpat-[A-Za-z0-9_-]{20,}`)},
	{kind: KindStripeSecretKey, re: regexp.MustCompile(`\b(?:sk|rk)_live_[A-Za-z0-9]{20,}`)},
	{kind: KindPrivateKeyBlock, re: regexp.MustCompile(`-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?s:.*?)-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----`)},
	{kind: KindJWT, re: regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}`)},
	{kind: KindBearerToken, re: regexp.MustCompile(`(?i)\bbearer[ \t]+([A-Za-z0-9._~+/=-]{20,})`), group: 1},
	{
		kind: KindSecretAssignment,
		re: regexp.MustCompile(`(?i)\b[A-Za-z0-9_.-]*(?:secret|token|passw(?:or)?d|api[_-]?key|private[_-]?key|access[_-]?key|credentials?|auth[_-]?key)[A-Za-z0-9_]*` +
			`[ \t]*=[ \t]*("[^"\r\n]{6,}"|'[^'\r\n]{6,}'|[^\s"'$\[][^\s"']{5,})`),
		group: secretAssignmentGroup,
	},
}
