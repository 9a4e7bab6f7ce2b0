package config

import (
	"strings"
	"testing"
)

// The length limits moved out of the patterns, so their boundaries are checked here.
func TestJiraProjectKeyRule(t *testing.T) {
	for key, want := range map[string]bool{
		"ENG": true, "A": true, "A1_B": true, "A" + strings.Repeat("Z", maxJiraProjectKey-1): true,
		"": false, "eng": false, "1ENG": false, "_ENG": false, "EN-G": false, "A" + strings.Repeat("Z", maxJiraProjectKey): false,
	} {
		if got := isJiraProjectKey(key); got != want {
			t.Errorf("isJiraProjectKey(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestGitHubRepoRule(t *testing.T) {
	owner39, name100 := strings.Repeat("o", maxGitHubOwner), strings.Repeat("r", maxGitHubRepo)
	for repo, want := range map[string]bool{
		"octo/app": true, "o/r": true, "o-1/r.v_2-x": true, owner39 + "/" + name100: true,
		"octo": false, "/app": false, "octo/": false, "-octo/app": false, "o_/a": true, "o/a/b": false, "o/a b": false,
		owner39 + "o/r": false, "o/" + name100 + "r": false,
	} {
		if got := isGitHubRepo(repo); got != want {
			t.Errorf("isGitHubRepo(%q) = %v, want %v", repo, got, want)
		}
	}
}
