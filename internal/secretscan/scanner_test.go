package secretscan

import (
	"strings"
	"testing"
)

// Fake credentials are assembled at run time so the repository never holds a string that a
// push-protection scanner would take for a live key.
func fake(prefix string, n int) string { return prefix + strings.Repeat("a1B2", n/4+1)[:n] }

func TestFindRecognisesEachKind(t *testing.T) {
	tests := []struct {
		name, text, secret, kind string
	}{
		{"anthropic", "key " + fake("sk-ant-api03-", 40) + " end", fake("sk-ant-api03-", 40), KindAnthropicAPIKey},
		{"openai project", "OPENAI " + fake("sk-proj-", 40), fake("sk-proj-", 40), KindOpenAIAPIKey},
		{"openai legacy", fake("sk-", 48), fake("sk-", 48), KindOpenAIAPIKey},
		{"github classic", "token: " + fake("ghp_", 36), fake("ghp_", 36), KindGitHubToken},
		{"github app", fake("ghs_", 36) + ".", fake("ghs_", 36), KindGitHubToken},
		{"github fine grained", fake("github_pat_", 82), fake("github_pat_", 82), KindGitHubToken},
		{"slack bot", "x " + fake("xoxb-1234-", 24), fake("xoxb-1234-", 24), KindSlackToken},
		{"linear", "key=" + fake("lin_api_", 40), fake("lin_api_", 40), KindLinearAPIKey},
		{"aws key id", "AKIAIOSFODNN7EXAMPLE in log", "AKIAIOSFODNN7EXAMPLE", KindAWSAccessKeyID},
		{"google", fake("AIza", 35), fake("AIza", 35), KindGoogleAPIKey},
		{"npm", fake("npm_", 36), fake("npm_", 36), KindNPMToken},
		{"gitlab", fake("glpat-", 20), fake("glpat-", 20), KindGitLabToken},
		{"stripe", fake("sk_live_", 24), fake("sk_live_", 24), KindStripeSecretKey},
		{
			"private key block",
			"before\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\nafter",
			"-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
			KindPrivateKeyBlock,
		},
		{"jwt", "cookie " + "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", KindJWT},
		{"bearer header", "Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123", "abcdefghijklmnopqrstuvwxyz0123", KindBearerToken},
		{"env assignment", "export DB_PASSWORD=hunter2hunter2\n", "hunter2hunter2", KindSecretAssignment},
		{"quoted assignment", `SERVICE_API_KEY = "with spaces inside"`, `"with spaces inside"`, KindSecretAssignment},
		{"aws secret assignment", "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", KindSecretAssignment},
	}
	s := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.Find(tt.text)
			if len(got) != 1 {
				t.Fatalf("Find(%q) = %+v, want exactly one finding", tt.text, got)
			}
			f := got[0]
			if f.Kind != tt.kind || tt.text[f.Start:f.End] != tt.secret {
				t.Fatalf("Find(%q) = %s %q, want %s %q", tt.text, f.Kind, tt.text[f.Start:f.End], tt.kind, tt.secret)
			}
			red := s.Redact(tt.text)
			if strings.Contains(red, tt.secret) || !strings.Contains(red, Marker(tt.kind)) {
				t.Fatalf("Redact(%q) = %q, want the secret replaced by %s", tt.text, red, Marker(tt.kind))
			}
		})
	}
}

func TestFindLeavesOrdinaryTextAlone(t *testing.T) {
	texts := []string{
		"Fix the login page: the token refresh fails after 30 minutes.",
		"PASSWORD_MIN_LENGTH=8",
		"export GITHUB_TOKEN=$GITHUB_TOKEN",
		"API_KEY=${{ secrets.API_KEY }}",
		"sk-not-a-key and ghp_short",
		"Authorization: Bearer short",
		"see https://example.com/eyJ/path",
		"-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
		"AKIA lowercase akiaiosfodnn7example",
	}
	s := New()
	for _, text := range texts {
		if got := s.Find(text); len(got) != 0 {
			t.Errorf("Find(%q) = %+v, want nothing", text, got)
		}
		if got := s.Redact(text); got != text {
			t.Errorf("Redact(%q) = %q, want it unchanged", text, got)
		}
	}
}

func TestConfiguredLiterals(t *testing.T) {
	s := New("", "   ", "short", "correct-horse-battery", "correct-horse-battery-staple")
	text := "a correct-horse-battery-staple b correct-horse-battery c short d"
	got := s.Redact(text)
	want := "a [REDACTED:configured_secret] b [REDACTED:configured_secret] c short d"
	if got != want {
		t.Fatalf("Redact = %q, want %q", got, want)
	}
}

func TestOverlappingFindingsMerge(t *testing.T) {
	token := fake("ghp_", 36)
	s := New(token)
	text := "GITHUB_TOKEN=" + token + " tail"
	got := s.Find(text)
	if len(got) != 1 {
		t.Fatalf("Find = %+v, want one merged finding", got)
	}
	if red := s.Redact(text); red != "GITHUB_TOKEN=[REDACTED:configured_secret] tail" {
		t.Fatalf("Redact = %q", red)
	}
}

func TestUnterminatedPrivateKeyRedactsToEnd(t *testing.T) {
	text := "log line\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n(log truncated)"
	got := New().Redact(text)
	if got != "log line\n[REDACTED:private_key_block]" {
		t.Fatalf("Redact = %q", got)
	}
}

func TestRedactIsIdempotent(t *testing.T) {
	s := New("configured-value-1")
	text := `PASSWORD="hunter2hunter2" and configured-value-1 and ` + fake("ghp_", 40)
	once := s.Redact(text)
	if twice := s.Redact(once); twice != once {
		t.Fatalf("second Redact changed the text:\n%q\n%q", once, twice)
	}
}

func TestMarkerCannotShieldTrailingSecret(t *testing.T) {
	text := `PASSWORD="[REDACTED:x]hunter2hunter2"`
	if got := New().Redact(text); strings.Contains(got, "hunter2") {
		t.Fatalf("Redact = %q, the value after a fake marker leaked", got)
	}
}
