package secretscan

import (
	"strings"
	"testing"
)

func TestFindBytes(t *testing.T) {
	const token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"
	tests := []struct {
		name    string
		content string
		want    []string
	}{
		{"clean text", "hello\nworld\n", nil},
		{"token in text", "export GH=" + token + "\n", []string{KindGitHubToken}},
		{"token between binary bytes", png + token + "\x00\xff", []string{KindGitHubToken}},
		{"token glued to a letter in binary", png + "x" + token + "\x00", []string{KindGitHubToken}},
		{"short token cut by padding in binary", png + "ghp_abcdefghijklmnopq\x00\x00\x00", []string{KindGitHubToken}},
		{"prefix alone in binary", png + "ghp_abc\x00", nil},
		{"configured literal in binary", png + "operator-configured-value\x00", []string{KindConfiguredSecret}},
		{"private key header in binary", png + "-----BEGIN RSA PRIVATE KEY-----\nMIIE", []string{KindPrivateKeyBlock}},
		{"glued token in text is left to the patterns", "x" + token, nil},
	}
	s := New("operator-configured-value")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var kinds []string
			for _, f := range s.FindBytes([]byte(tt.content)) {
				kinds = append(kinds, f.Kind)
				if f.Start < 0 || f.End > len(tt.content) || f.Start >= f.End {
					t.Errorf("finding %+v is outside the content", f)
				}
			}
			if strings.Join(kinds, ",") != strings.Join(tt.want, ",") {
				t.Errorf("FindBytes kinds = %v, want %v", kinds, tt.want)
			}
		})
	}
}
