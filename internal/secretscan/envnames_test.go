package secretscan

import "testing"

func TestIsCredentialName(t *testing.T) {
	for name, want := range map[string]bool{
		"LINEAR_API_KEY": true, "OPENAI_API_KEY": true, "GH_TOKEN": true, "GITHUB_TOKEN": true,
		"SLACK_WEBHOOK_URL": true, "DB_PASSWORD": true, "aws_secret_access_key": true, "NPM_AUTH": true,
		"MY_APIKEY": true, "GITHUB_PAT": true, "GOOGLE_APPLICATION_CREDENTIALS": true,
		"SSH_AUTH_SOCK": false, "PATH": false, "HOME": false, "KEYBOARD_LAYOUT": false, "TOKENIZERS_PARALLELISM": false,
		"SYMPHONY_ISSUE_IDENTIFIER": false,
	} {
		if got := IsCredentialName(name); got != want {
			t.Errorf("IsCredentialName(%q) = %v, want %v", name, got, want)
		}
	}
}
