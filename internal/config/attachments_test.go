package config

import (
	"fmt"
	"strings"
	"testing"
)

func TestEmptyAttachmentHostsWarnWithTheirLine(t *testing.T) {
	tests := []struct {
		name, extra string
		// warnLine is the symphony.yml line the warning names; 0 means no warning.
		warnLine  int
		wantHosts string
	}{
		{"not set", "", 0, "github.com"},
		{"set", "workspaces:\n  attachments:\n    allowed_hosts: [GitHub.com, gitlab.example.com]\n", 0, "github.com,gitlab.example.com"},
		{"empty list", "workspaces:\n  attachments:\n    allowed_hosts: []\n", 6, "github.com"},
		{"only blanks", "workspaces:\n  attachments:\n    allowed_hosts: [\"  \"]\n", 6, "github.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustLoad(t, minimal+tt.extra, nil)
			if got := strings.Join(cfg.Workspaces.Attachments.AllowedHosts, ","); got != tt.wantHosts {
				t.Errorf("allowed hosts = %q, want %q", got, tt.wantHosts)
			}
			var warning string
			for _, w := range cfg.Warnings() {
				if strings.Contains(w, "allowed_hosts") {
					warning = w
				}
			}
			switch {
			case tt.warnLine == 0 && warning != "":
				t.Errorf("unexpected warning %q", warning)
			case tt.warnLine != 0 && !strings.Contains(warning, fmt.Sprintf("%s:%d: workspaces.attachments.allowed_hosts is empty", cfg.Path, tt.warnLine)):
				t.Errorf("warning = %q, want one naming %s:%d and the empty key", warning, cfg.Path, tt.warnLine)
			case tt.warnLine != 0 && !strings.Contains(warning, "default github.com applies"):
				t.Errorf("warning = %q, want it to say the default applies", warning)
			}
		})
	}
}
