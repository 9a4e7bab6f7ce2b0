package audit

import (
	"slices"
	"testing"
)

func TestSecretEnvValues(t *testing.T) {
	env := []string{
		"LINEAR_API_KEY=lin-value", "GH_TOKEN=gh-value", "SLACK_WEBHOOK_URL=https://hooks/x", "db_password=pw-value",
		"AWS_SECRET_ACCESS_KEY=aws-value", "GITHUB_PAT=pat-value", "NPM_AUTH=npm-value",
		"PATH=/usr/bin", "PWD=/work", "HOME=/root", "KEYBOARD_LAYOUT=us", "TOKENIZER=bpe", "EMPTY_TOKEN=", "NOEQUALS",
	}
	got := SecretEnvValues(env)
	want := []string{"aws-value", "gh-value", "https://hooks/x", "lin-value", "npm-value", "pat-value", "pw-value"}
	if !slices.Equal(got, want) {
		t.Fatalf("SecretEnvValues = %q\nwant %q", got, want)
	}
}
