package sshworker

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/testenv"
)

// realSSH puts the system OpenSSH client in the transport, with a private config file.
func realSSH(t *testing.T, config string) Transport {
	t.Helper()
	bin := testenv.Tool(t, "ssh")
	cfg := filepath.Join(t.TempDir(), "ssh_config")
	if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return Transport{Binary: bin, ConfigFile: cfg, ConnectTimeout: 2 * time.Second}
}

// TestRealSSHReadsTheArgv asks the real client, with -G, how it understood our argv: -G prints
// the resolved settings and exits without connecting anywhere.
func TestRealSSHReadsTheArgv(t *testing.T) {
	tr := realSSH(t, "Host w1\n  HostName 127.0.0.1\n  Port 2200\n  IdentityFile /nonexistent/symphony_key\n")
	tests := []struct {
		entry string
		want  map[string]string
	}{
		{"ci@w1:2222", map[string]string{"user": "ci", "hostname": "127.0.0.1", "port": "2222", "identityfile": "/nonexistent/symphony_key"}},
		{"w1", map[string]string{"hostname": "127.0.0.1", "port": "2200"}},
		{"ci@[::1]:2201", map[string]string{"user": "ci", "hostname": "::1", "port": "2201"}},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			h, err := ParseHost(tt.entry)
			if err != nil {
				t.Fatal(err)
			}
			argv, err := tr.Argv(h, []string{"codex", "app-server"})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cmd := sshCommand(ctx, slices.Insert(argv, 1, "-G"))
			var errOut bytes.Buffer
			cmd.Stderr = &errOut
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("ssh -G: %v: %s", err, errOut.String())
			}
			got := map[string]string{}
			sc := bufio.NewScanner(bytes.NewReader(out))
			for sc.Scan() {
				k, v, _ := strings.Cut(sc.Text(), " ")
				got[k] = v
			}
			want := map[string]string{"batchmode": "yes", "connecttimeout": "2", "serveraliveinterval": "15",
				"serveralivecountmax": "3", "requesttty": "false"}
			for k, v := range tt.want {
				want[k] = v
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("ssh resolved %s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

// TestRealSSHRefusedConnectionIsAHostFailure connects the real client to a closed port on
// 127.0.0.1 and checks the exit is classified as the host's failure, with ssh's reason.
func TestRealSSHRefusedConnectionIsAHostFailure(t *testing.T) {
	tr := realSSH(t, "StrictHostKeyChecking yes\nUserKnownHostsFile /dev/null\n")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	h, err := ParseHost("127.0.0.1:" + strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	argv, err := tr.Argv(h, []string{"true"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := sshCommand(ctx, argv)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	var exitErr *exec.ExitError
	if err := cmd.Run(); !errors.As(err, &exitErr) {
		t.Fatalf("want an exit status from ssh, got %v (%s)", err, errOut.String())
	}
	v := Classify(Exit{Code: exitErr.ExitCode(), Stderr: errOut.Bytes()})
	if exitErr.ExitCode() != 255 || !v.HostFailure || v.ConsumesRetry || !strings.Contains(v.Reason, "Connection refused") {
		t.Fatalf("exit %d, verdict %+v; want 255 classified as %s", exitErr.ExitCode(), v, CodeWorkerHostUnavailable)
	}
}
