package secretscan

import "regexp"

// pattern is one high-confidence credential shape. When group is non-zero only that submatch
// is the secret, so the surrounding label ("Authorization: Bearer", "API_TOKEN=") stays
// readable after redaction.
//
// Go's regexp engine is slow on patterns without a literal prefix, so each pattern names
// hints: literals that every match contains. The regexp only runs on lines holding a hint
// (or on the whole text for multiline patterns), which keeps a clean megabyte-long CI log
// to a handful of substring searches. Hints of fold patterns are lower case and are looked
// up in an ASCII-lowered copy of the text. A pattern whose every match also holds a fixed
// byte (an assignment's '=') names it in needs, and does not run on text without it: hints
// such as "token" are common words in ordinary text (a token_usage record's keys).
type pattern struct {
	kind      string
	re        *regexp.Regexp
	group     int
	hints     []string
	needs     byte
	fold      bool
	multiline bool
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
	{kind: KindAnthropicAPIKey, re: regexp.MustCompile(`\bsk-ant-[A-Za-z0-9_-]{20,}`), hints: []string{"sk-ant-"}},
	{kind: KindOpenAIAPIKey, re: regexp.MustCompile(`\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}`), hints: []string{"sk-proj-", "sk-svcacct-", "sk-admin-"}},
	{kind: KindOpenAIAPIKey, re: regexp.MustCompile(`\bsk-[A-Za-z0-9]{48}\b`), hints: []string{"sk-"}},
	{kind: KindGitHubToken, re: regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{30,}`), hints: []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}},
	{kind: KindGitHubToken, re: regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{40,}`), hints: []string{"github_pat_"}},
	{kind: KindSlackToken, re: regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{10,}`), hints: []string{"xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-"}},
	{kind: KindSlackToken, re: regexp.MustCompile(`\bxapp-[A-Za-z0-9-]{20,}`), hints: []string{"xapp-"}},
	{kind: KindLinearAPIKey, re: regexp.MustCompile(`\blin_(?:api|oauth)_[A-Za-z0-9]{32,}`), hints: []string{"lin_api_", "lin_oauth_"}},
	{kind: KindAWSAccessKeyID, re: regexp.MustCompile(`\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b`), hints: []string{"AKIA", "ASIA", "ABIA", "ACCA"}},
	{kind: KindGoogleAPIKey, re: regexp.MustCompile(`\bAIza[A-Za-z0-9_-]{35}`), hints: []string{"AIza"}},
	{kind: KindNPMToken, re: regexp.MustCompile(`\bnpm_[A-Za-z0-9]{36}`), hints: []string{"npm_"}},
	{kind: KindGitLabToken, re: regexp.MustCompile(`\bglpat-[A-Za-z0-9_-]{20,}`), hints: []string{"glpat-"}},
	{kind: KindStripeSecretKey, re: regexp.MustCompile(`\b(?:sk|rk)_live_[A-Za-z0-9]{20,}`), hints: []string{"sk_live_", "rk_live_"}},
	{
		kind:      KindPrivateKeyBlock,
		re:        regexp.MustCompile(`-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?s:.*?)-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----`),
		hints:     []string{"PRIVATE KEY"},
		multiline: true,
	},
	{kind: KindJWT, re: regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}`), hints: []string{"eyJ"}},
	{kind: KindBearerToken, re: regexp.MustCompile(`(?i)\bbearer[ \t]+([A-Za-z0-9._~+/=-]{20,})`), group: 1, hints: []string{"bearer"}, fold: true},
	{
		kind: KindSecretAssignment,
		re: regexp.MustCompile(`(?i)\b[A-Za-z0-9_.-]*(?:secret|token|passw(?:or)?d|api[_-]?key|private[_-]?key|access[_-]?key|credentials?|auth[_-]?key)[A-Za-z0-9_]*` +
			`[ \t]*=[ \t]*("[^"\r\n]{6,}"|'[^'\r\n]{6,}'|[^\s"'$\[][^\s"']{5,})`),
		group: secretAssignmentGroup,
		needs: '=',
		hints: []string{"secret", "token", "passw", "apikey", "api_key", "api-key", "privatekey", "private_key", "private-key",
			"accesskey", "access_key", "access-key", "credential", "authkey", "auth_key", "auth-key"},
		fold: true,
	},
}
