package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/symphony-go/symphony/internal/yamlschema"
)

func TestSSHHostsAreParsedAtTheirLine(t *testing.T) {
	tests := []struct {
		name  string
		hosts string
		path  string
		line  int
		want  string
	}{
		{"unbracketed IPv6", "    - worker1:2222\n    - ::1\n", "workers.ssh_hosts[1]", 7, "must be bracketed"},
		{"bad port", "    - ci@worker1:99999\n", "workers.ssh_hosts[0]", 6, "1 to 65535"},
		{"option injection", "    - -oProxyCommand=sh\n", "workers.ssh_hosts[0]", 6, "must not start with -"},
		{"blank", "    - ''\n", "workers.ssh_hosts[0]", 6, "is empty"},
		{"duplicate", "    - '[::1]:2201'\n    - w2\n    - '[::1]:2201'\n", "workers.ssh_hosts[2]", 8, "repeats entry 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, minimal+"workers:\n  ssh_hosts:\n"+tt.hosts, nil)
			var errs yamlschema.Errors
			if !errors.As(err, &errs) || len(errs) != 1 {
				t.Fatalf("got %v, want one problem", err)
			}
			got := errs[0]
			if got.Path != tt.path || got.Line != tt.line || !strings.Contains(got.Msg, tt.want) {
				t.Fatalf("problem = %s:%d %s: %s; want %s at line %d saying %q", got.File, got.Line, got.Path, got.Msg, tt.path, tt.line, tt.want)
			}
		})
	}
}

func TestValidSSHHostsLoad(t *testing.T) {
	c := mustLoad(t, minimal+"workers:\n  ssh_hosts: [w1, 'ci@w2:2222', '[::1]:2201']\n  max_concurrent_agents_per_host: 2\n", nil)
	if strings.Join(c.Workers.SSHHosts, ",") != "w1,ci@w2:2222,[::1]:2201" || *c.Workers.MaxConcurrentAgentsPerHost != 2 {
		t.Fatalf("workers = %+v", c.Workers)
	}
}

func TestRemoteWorkspaceRootMustBeAbsoluteOnTheHost(t *testing.T) {
	tests := []struct {
		root string
		want string // "" when accepted
	}{
		{"/srv/symphony/ws", ""},
		{"$WS_ROOT", ""},
		{"~/ws", `contains '~'`},
		{"ws", "must be absolute"},
		{"/srv/../ws", ". or .."},
		{"/srv/my ws", `contains ' '`},
	}
	for _, tt := range tests {
		t.Run(tt.root, func(t *testing.T) {
			yml := minimal + "workspaces: {root: '" + tt.root + "'}\nworkers: {ssh_hosts: [w1]}\n"
			_, err := load(t, yml, map[string]string{"WS_ROOT": "/data/ws"})
			var errs yamlschema.Errors
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Path != "workspaces.root" || errs[0].Line != 4 || !strings.Contains(errs[0].Msg, tt.want) {
				t.Fatalf("got %v; want one workspaces.root problem at line 4 saying %q", err, tt.want)
			}
		})
	}
	if _, err := load(t, minimal+"workspaces: {root: '~/ws'}\n", nil); err != nil {
		t.Fatalf("without ssh hosts ~ stays a local path: %v", err)
	}
}
