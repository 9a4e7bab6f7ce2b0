package notify

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/config"
)

func TestCheckTargetRefusesUnsafeLiteralsAtConfigTime(t *testing.T) {
	tests := []struct {
		url          string
		allowPrivate bool
		wantErr      string // "" means accepted
	}{
		{"https://hooks.slack.com/services/T/B/X", false, ""},
		{"https://93.184.216.34/hook", false, ""},
		{"https://[2606:4700::1111]/hook", false, ""},
		{"http://hooks.example.com/hook", false, "must use https"},
		{"http://hooks.example.com/hook", true, "must use https"},
		{"http://127.0.0.1:8080/hook", true, ""},
		{"ftp://example.com/x", false, "must use https"},
		{"https://user:pw@example.com/x", false, "credentials"},
		{"https:///nohost", false, "has no host"},
		{"https://localhost/hook", false, "loopback"},
		{"https://127.0.0.1/hook", false, "loopback"},
		{"https://[::1]/hook", false, "loopback"},
		{"https://[::ffff:127.0.0.1]/hook", false, "loopback"},
		{"https://10.1.2.3/hook", false, "private"},
		{"https://172.16.0.1/hook", false, "private"},
		{"https://192.168.1.1/hook", false, "private"},
		{"https://[fc00::1]/hook", false, "private"},
		{"https://169.254.169.254/latest", false, "metadata"},
		{"https://[fd00:ec2::254]/latest", false, "metadata"},
		{"https://169.254.10.1/hook", false, "link-local"},
		{"https://[fe80::1]/hook", false, "link-local"},
		{"https://100.64.0.1/hook", false, "carrier-grade NAT"},
		{"https://0.0.0.0/hook", false, "unspecified"},
		{"https://0.1.2.3/hook", false, "this network"},
		{"https://[::]/hook", false, "unspecified"},
		{"https://224.0.0.1/hook", false, "not a unicast"},
		{"https://10.1.2.3/hook", true, ""},
		{"https://169.254.169.254/latest", true, ""},
	}
	for _, tt := range tests {
		_, err := checkTarget(tt.url, tt.allowPrivate)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("checkTarget(%q, allow_private=%v) = %v, want accepted", tt.url, tt.allowPrivate, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("checkTarget(%q, allow_private=%v) = %v, want error containing %q", tt.url, tt.allowPrivate, err, tt.wantErr)
		}
	}
}

func TestDialGuardChecksTheConnectedAddress(t *testing.T) {
	tests := []struct {
		address      string
		allowPrivate bool
		refused      bool
	}{
		{"93.184.216.34:443", false, false},
		{"127.0.0.1:443", false, true},
		{"[::ffff:10.0.0.1]:443", false, true},
		{"100.100.1.1:443", false, true},
		{"169.254.169.254:80", false, true},
		{"[fd00:ec2::254]:80", false, true},
		{"[64:ff9b::a9fe:a9fe]:80", false, true},
		{"[64:ff9b::5db8:d822]:443", false, false},
		{"127.0.0.1:443", true, false},
	}
	for _, tt := range tests {
		err := guardedDialer{allowPrivate: tt.allowPrivate}.control("tcp", tt.address, nil)
		if (err != nil) != tt.refused {
			t.Errorf("control(%s, allow_private=%v) = %v, want refused=%v", tt.address, tt.allowPrivate, err, tt.refused)
		}
	}
	if reason := refusedReason(netip.MustParseAddr("8.8.8.8")); reason != "" {
		t.Errorf("8.8.8.8 refused as %q", reason)
	}
}

func TestValidateNamesTheOffendingKey(t *testing.T) {
	const fromEnv = "Bearer s3cr3t-from-the-environment"
	environ := []string{"HOOK_TOKEN=" + fromEnv}
	tests := []struct {
		name    string
		channel config.Channel
		wantErr string
	}{
		{"header from an environment variable", config.Channel{Kind: "webhook", URL: "https://example.com/h",
			Headers: map[string]string{"Authorization": fromEnv, "X-Team": "infra"}}, ""},
		{"literal credential header", config.Channel{Kind: "webhook", URL: "https://example.com/h",
			Headers: map[string]string{"Authorization": "Bearer typed-into-the-file"}},
			"notifications.channels[0].headers.Authorization holds a literal secret; write it as a whole-value reference such as $NOTIFY_AUTHORIZATION"},
		{"literal token under a harmless name", config.Channel{Kind: "webhook", URL: "https://example.com/h",
			Headers: map[string]string{"X-Extra": "ghp_" + strings.Repeat("Z9y8", 9)}},
			"notifications.channels[0].headers.X-Extra holds a literal secret"},
		{"unset variable", config.Channel{Kind: "webhook", URL: "https://example.com/h",
			Headers: map[string]string{"X-Key": "$MISSING_KEY"}},
			"notifications.channels[0].headers.X-Key refers to $MISSING_KEY, which is not set"},
		{"headers on slack", config.Channel{Kind: "slack", WebhookURL: "https://hooks.slack.com/services/x",
			Headers: map[string]string{"X-Team": "infra"}},
			"notifications.channels[0].headers are only sent to webhook channels"},
		{"private literal", config.Channel{Kind: "slack", WebhookURL: "https://192.168.0.10/services/x"},
			"notifications.channels[0].webhook_url address 192.168.0.10 is private"},
		{"plain http", config.Channel{Kind: "webhook", URL: "http://example.com/h"},
			"notifications.channels[0].url must use https"},
		{"unknown event", config.Channel{Kind: "webhook", URL: "https://example.com/h", Events: []string{"pr_merged"}},
			`notifications.channels[0].events[0] names unknown event "pr_merged"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := config.Notifications{Enabled: true, Channels: []config.Channel{tt.channel}}
			err := Validate(n, environ)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate = %v, want error containing %q", err, tt.wantErr)
			}
			// A literal secret is only detectable against the environment, which New does
			// not see; every other refusal must also stop New.
			nt, err := New(n, Options{})
			if err == nil {
				_ = nt.Close(context.Background())
			}
			if literal := strings.Contains(tt.wantErr, "literal secret"); (err == nil) != literal {
				t.Errorf("New error = %v; want refused=%v", err, !literal)
			}
		})
	}
	if err := Validate(config.Notifications{Channels: []config.Channel{{Kind: "webhook", URL: "http://10.0.0.1"}}}, nil); err != nil {
		t.Errorf("disabled notifications should not be checked, got %v", err)
	}
}
