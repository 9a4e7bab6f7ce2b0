package tracker

import "testing"

func TestCheckBaseURLAllowsPlainHTTPOnlyOnLoopback(t *testing.T) {
	cases := []struct {
		url string
		ok  bool
	}{
		{"https://api.github.com", true},
		{"https://gitlab.example.com/api/v4", true},
		{"http://127.0.0.1:8080", true},
		{"http://[::1]:9000/api", true},
		{"http://localhost:3000", true},
		{"http://gitlab.example.com/api/v4", false},
		{"http://10.0.0.1", false},
		{"http://127.0.0.1.example.com", false},
		{"ftp://127.0.0.1", false},
		{"https://user:pw@example.com", false},
		{"not a url", false},
		{"", false},
	}
	for _, tc := range cases {
		err := CheckBaseURL("issues.jira.base_url", tc.url)
		if (err == nil) != tc.ok {
			t.Errorf("CheckBaseURL(%q) = %v, want ok=%v", tc.url, err, tc.ok)
		}
		if err != nil && !IsCode(err, CodeInvalidSettings) {
			t.Errorf("CheckBaseURL(%q) code = %s", tc.url, CodeOf(err))
		}
	}
}
