package sshworker

import (
	"slices"
	"strings"
	"testing"
)

// A socket forward sits with the other options, before the port and the destination, so the
// remote command after `--` stays the last word.
func TestArgvGoldenWithSocketForward(t *testing.T) {
	h, err := ParseHost("ci@worker1:2222")
	if err != nil {
		t.Fatal(err)
	}
	fwd := SocketForward{Remote: "/srv/ws/.symphony/sessions/claude-1/mcp.sock", Local: "/tmp/symphony-mcp-1/sock"}
	got, err := (Transport{ConfigFile: "/etc/symphony/ssh_config"}).Argv(h, []string{"claude", "-p"}, fwd)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ssh", "-T", "-F", "/etc/symphony/ssh_config", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=15",
		"-o", "ServerAliveCountMax=3", "-o", "ExitOnForwardFailure=yes", "-o", "StreamLocalBindUnlink=yes",
		"-R", "/srv/ws/.symphony/sessions/claude-1/mcp.sock:/tmp/symphony-mcp-1/sock", "-p", "2222", "ci@worker1", "--", `'claude' '-p'`}
	if !slices.Equal(got, want) {
		t.Fatalf("argv\n got %q\nwant %q", got, want)
	}
}

// A forward whose path could be read as another ssh argument, another forward or a shell
// word, or that no socket address can hold, is refused before ssh runs.
func TestSocketForwardRefusals(t *testing.T) {
	long := "/" + strings.Repeat("d", MaxSocketPath)
	cases := map[string]SocketForward{
		"relative remote":   {Remote: "mcp.sock", Local: "/tmp/s"},
		"colon":             {Remote: "/srv/a:b", Local: "/tmp/s"},
		"space":             {Remote: "/srv/a b", Local: "/tmp/s"},
		"option-like local": {Remote: "/srv/s", Local: "-oProxyCommand=x"},
		"dot dot":           {Remote: "/srv/../etc/s", Local: "/tmp/s"},
		"too long":          {Remote: long, Local: "/tmp/s"},
		"empty local":       {Remote: "/srv/s"},
	}
	for name, f := range cases {
		if _, err := (Transport{}).Argv(Host{Name: "h"}, []string{"true"}, f); err == nil {
			t.Errorf("%s: forward %+v accepted", name, f)
		}
	}
}
