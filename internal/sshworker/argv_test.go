package sshworker

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestArgvGolden(t *testing.T) {
	remote := []string{"codex", "app-server", "--cd", "/srv/ws/ABC-1'; touch /tmp/x #"}
	quoted := `'codex' 'app-server' '--cd' '/srv/ws/ABC-1'\''; touch /tmp/x #'`
	common := []string{"-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3"}
	tests := []struct {
		name string
		tr   Transport
		host string
		want []string
	}{
		{"bare host, no config", Transport{}, "worker1",
			concat([]string{"ssh", "-T"}, common, []string{"worker1", "--", quoted})},
		{"port split and -F", Transport{ConfigFile: "/etc/symphony/ssh_config"}, "ci@worker1:2222",
			concat([]string{"ssh", "-T", "-F", "/etc/symphony/ssh_config"}, common, []string{"-p", "2222", "ci@worker1", "--", quoted})},
		{"bracketed IPv6", Transport{}, "[::1]:2201",
			concat([]string{"ssh", "-T"}, common, []string{"-p", "2201", "::1", "--", quoted})},
		{"custom timeouts round up to whole seconds", Transport{Binary: "/usr/bin/ssh", ConnectTimeout: 1500 * time.Millisecond, ServerAliveInterval: time.Millisecond, ServerAliveCountMax: 5}, "h",
			[]string{"/usr/bin/ssh", "-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=2", "-o", "ServerAliveInterval=1", "-o", "ServerAliveCountMax=5", "h", "--", quoted}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseHost(tt.host)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tt.tr.Argv(h, remote)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("argv\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestArgvRefusals(t *testing.T) {
	h := Host{Name: "h"}
	if _, err := (Transport{ConfigFile: "ssh_config"}).Argv(h, []string{"true"}); err == nil || !strings.Contains(err.Error(), "absolute") {
		t.Errorf("relative -F: got %v", err)
	}
	if _, err := (Transport{}).Argv(Host{}, []string{"true"}); err == nil {
		t.Error("host without a name accepted")
	}
	if _, err := (Transport{}).Argv(h, nil); err == nil {
		t.Error("empty remote command accepted")
	}
}

func TestTransportFromEnv(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == EnvSSHConfig {
				return v
			}
			return ""
		}
	}
	tr, err := TransportFromEnv(env("/home/me/.symphony/ssh_config"))
	if err != nil || tr.ConfigFile != "/home/me/.symphony/ssh_config" {
		t.Fatalf("absolute: %+v, %v", tr, err)
	}
	if tr, err := TransportFromEnv(env("")); err != nil || tr.ConfigFile != "" {
		t.Fatalf("unset: %+v, %v", tr, err)
	}
	if _, err := TransportFromEnv(env("rel/ssh_config")); err == nil || !strings.Contains(err.Error(), EnvSSHConfig) {
		t.Fatalf("relative: got %v, want an error naming %s", err, EnvSSHConfig)
	}
}

func concat(parts ...[]string) []string { return slices.Concat(parts...) }
