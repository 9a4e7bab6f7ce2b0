package secretscan

import (
	"bytes"
	"unicode/utf8"
)

// binaryPrefix is a vendor prefix distinctive enough that, inside binary content, the prefix
// followed by a run of token characters counts as a credential even where the text pattern's
// word boundary or length rule does not hold: a token in a fixed-width, NUL-padded field of a
// binary format can be cut short or glued to the bytes before it. Short, common prefixes (AKIA,
// npm_, AIza, sk-) are left to the full text patterns, which compressed data would otherwise
// trip by chance.
type binaryPrefix struct{ prefix, kind string }

var binaryPrefixes = []binaryPrefix{
	{"sk-ant-", KindAnthropicAPIKey}, {"sk-proj-", KindOpenAIAPIKey}, {"sk-svcacct-", KindOpenAIAPIKey},
	{"ghp_", KindGitHubToken}, {"gho_", KindGitHubToken}, {"ghu_", KindGitHubToken}, {"ghs_", KindGitHubToken},
	{"ghr_", KindGitHubToken}, {"github_pat_", KindGitHubToken},
	{"xoxb-", KindSlackToken}, {"xoxp-", KindSlackToken}, {"xapp-", KindSlackToken},
	{"lin_api_", KindLinearAPIKey}, {"lin_oauth_", KindLinearAPIKey}, {"glpat-", KindGitLabToken},
	{"sk_live_", KindStripeSecretKey}, {"rk_live_", KindStripeSecretKey},
}

// minBinaryTokenRun is how many token characters must follow a binary prefix: enough that a
// chance occurrence in arbitrary bytes is negligible, fewer than any real token carries.
const minBinaryTokenRun = 16

// FindBytes returns the secrets in a file's contents. Text (valid UTF-8) is scanned exactly as
// Find scans it. Other content is scanned with the same patterns, which match byte for byte
// around invalid sequences, and also for the vendor prefixes above followed by token
// characters, so a token embedded in an image or archive is found too.
func (s *Scanner) FindBytes(content []byte) []Finding {
	found := s.Find(string(content))
	if utf8.Valid(content) {
		return found
	}
	for _, p := range binaryPrefixes {
		needle := []byte(p.prefix)
		for from := 0; ; {
			i := bytes.Index(content[from:], needle)
			if i < 0 {
				break
			}
			start := from + i
			end := start + len(needle)
			for end < len(content) && isTokenByte(content[end]) {
				end++
			}
			if end-start-len(needle) >= minBinaryTokenRun {
				found = append(found, Finding{Kind: p.kind, Start: start, End: end})
			}
			from = start + len(needle)
		}
	}
	return merge(found)
}

func isTokenByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '-'
}
