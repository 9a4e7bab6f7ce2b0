// Package sshdtest runs real OpenSSH servers on 127.0.0.1 for integration tests of SSH worker
// hosts. A Fleet owns one client key and one ssh_config file (usable as SYMPHONY_SSH_CONFIG);
// each Host it adds is its own sshd on its own port with its own host key and its own root
// directory, so several "machines" can be told apart on one test machine. Tests log in as the
// current user. Outside CI a missing sshd, ssh or ssh-keygen skips the test (internal/testenv);
// in CI it fails.
package sshdtest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/agent/reaper"
	"github.com/symphony-go/symphony/internal/testenv"
)

// readyTimeout bounds how long a starting sshd may take to report that it listens; a loaded
// CI machine needs seconds, a broken config fails at once.
const readyTimeout = 30 * time.Second

// privSepDir is where a root-run sshd drops privileges; Debian creates it from its service
// unit, which a container or CI job never runs.
const privSepDir = "/run/sshd"

// Fleet is a set of test hosts sharing one client identity and one ssh_config.
type Fleet struct {
	t          testing.TB
	dir        string
	sshd       string
	keygen     string
	userKey    string
	knownHosts string
	// ConfigFile is the ssh_config to pass as -F (SYMPHONY_SSH_CONFIG): the fleet's key, its
	// known_hosts, strict host key checking and nothing from ~/.ssh.
	ConfigFile string
	// SSH is the path of the ssh client.
	SSH string
	mu  sync.Mutex // guards known_hosts appends
}

// NewFleet generates the client key and ssh_config in a temporary directory.
func NewFleet(t testing.TB) *Fleet {
	t.Helper()
	f := &Fleet{t: t, dir: t.TempDir()}
	f.SSH = testenv.Tool(t, "ssh")
	f.keygen = testenv.Tool(t, "ssh-keygen")
	f.sshd = findSSHD(t)
	if os.Geteuid() == 0 {
		if err := os.MkdirAll(privSepDir, 0o755); err != nil {
			testenv.Missing(t, "sshd privilege separation directory "+privSepDir+" ("+err.Error()+")")
		}
	}
	f.userKey = filepath.Join(f.dir, "id_ed25519")
	f.generateKey(f.userKey)
	f.knownHosts = filepath.Join(f.dir, "known_hosts")
	writeFile(t, f.knownHosts, "")
	f.ConfigFile = filepath.Join(f.dir, "ssh_config")
	writeFile(t, f.ConfigFile, fmt.Sprintf(`Host *
  IdentityFile %s
  IdentitiesOnly yes
  IdentityAgent none
  UserKnownHostsFile %s
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  CheckHostIP no
  LogLevel ERROR
`, f.userKey, f.knownHosts))
	return f
}

func findSSHD(t testing.TB) string {
	if p, err := exec.LookPath("sshd"); err == nil {
		return p
	}
	return testenv.File(t, "sshd (apt-get install openssh-server)", "/usr/sbin/sshd")
}

func (f *Fleet) generateKey(path string) {
	f.t.Helper()
	out, err := exec.Command(f.keygen, "-q", "-t", "ed25519", "-N", "", "-C", "symphony-test", "-f", path).CombinedOutput()
	if err != nil {
		f.t.Fatalf("ssh-keygen %s: %v: %s", path, err, out)
	}
}

// Host is one test sshd. Its Root is a directory only this host's tests use, standing in for
// the host's own filesystem.
type Host struct {
	fleet   *Fleet
	dir     string
	config  string
	hostKey string
	// Port is the port sshd listens on at 127.0.0.1; it stays the same across Stop/Start.
	Port int
	// Root is an empty directory that belongs to this host (for example its workspaces root).
	Root string
	// Home is HOME in the host's sessions: sshd sets it in place of the user's own, so the
	// login files of the machine running the tests (a slow ~/.bashrc) stay out of them.
	Home string
	// Temp is TMPDIR in the host's sessions, likewise: what programs leave in a host's temp
	// directory (Claude's sandbox leaves empty directories) stays out of the machine's own.
	// It is short, as a real host's /tmp is: sandboxes bind Unix sockets in it.
	Temp string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// AddHost starts a new sshd on a free port of 127.0.0.1; it is stopped when the test ends.
func (f *Fleet) AddHost() *Host {
	f.t.Helper()
	h := &Host{fleet: f, dir: f.t.TempDir(), Root: f.t.TempDir(), Home: f.t.TempDir()}
	temp, err := os.MkdirTemp("", "sshd-host-")
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { _ = os.RemoveAll(temp) })
	h.Temp = temp
	h.hostKey = filepath.Join(h.dir, "ssh_host_ed25519_key")
	f.generateKey(h.hostKey)
	authorized := filepath.Join(h.dir, "authorized_keys")
	pub, err := os.ReadFile(f.userKey + ".pub")
	if err != nil {
		f.t.Fatal(err)
	}
	writeFile(f.t, authorized, string(pub))
	f.t.Cleanup(h.Stop)
	var lastErr error
	for range 5 { // another process may take the free port between probe and bind
		h.Port = freePort(f.t)
		h.writeConfig(authorized)
		if lastErr = h.start(); lastErr == nil {
			f.trust(h)
			return h
		}
	}
	f.t.Fatalf("sshd did not start: %v", lastErr)
	return nil
}

func (h *Host) writeConfig(authorized string) {
	h.config = filepath.Join(h.dir, "sshd_config")
	writeFile(h.fleet.t, h.config, fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
PidFile %s
AuthorizedKeysFile %s
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PermitRootLogin prohibit-password
AllowTcpForwarding yes
StreamLocalBindUnlink yes
MaxStartups 100
MaxSessions 100
LogLevel INFO
SetEnv HOME=%s TMPDIR=%s
`, h.Port, h.hostKey, filepath.Join(h.dir, "sshd.pid"), authorized, h.Home, h.Temp))
}

// Addr is the host's entry for workers.ssh_hosts: 127.0.0.1:<port>.
func (h *Host) Addr() string { return "127.0.0.1:" + strconv.Itoa(h.Port) }

// Start brings a stopped host back on the same port with the same host key.
func (h *Host) Start() {
	h.fleet.t.Helper()
	var err error
	for range 20 { // the port can linger briefly after a kill
		if err = h.start(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	h.fleet.t.Fatalf("restarting sshd on port %d: %v", h.Port, err)
}

func (h *Host) start() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cmd != nil {
		return fmt.Errorf("sshd on port %d is already running", h.Port)
	}
	cmd := exec.Command(h.fleet.sshd, "-D", "-e", "-f", h.config)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start sshd: %w", err)
	}
	log := &lockedBuffer{}
	ready := make(chan bool, 1)
	done := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		signalled := false
		for sc.Scan() {
			log.WriteLine(sc.Text())
			if !signalled && strings.Contains(sc.Text(), "Server listening on 127.0.0.1 port") {
				ready <- true
				signalled = true
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		_ = cmd.Wait()
		if !signalled {
			ready <- false
		}
		close(done)
	}()
	timer := time.NewTimer(readyTimeout)
	defer timer.Stop()
	select {
	case ok := <-ready:
		if !ok {
			<-done
			return fmt.Errorf("sshd exited before listening: %s", log.String())
		}
	case <-timer.C:
		killTree(cmd.Process.Pid)
		<-done
		return fmt.Errorf("sshd did not report listening within %s: %s", readyTimeout, log.String())
	}
	h.cmd, h.done = cmd, done
	h.fleet.t.Cleanup(func() {
		if h.fleet.t.Failed() {
			h.fleet.t.Logf("sshd on port %d log:\n%s", h.Port, log.String())
		}
	})
	return nil
}

// Stop kills sshd and every process below it (open connections and the commands they run),
// the way a host that dies takes its sessions with it. Stopping a stopped host does nothing.
func (h *Host) Stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cmd == nil {
		return
	}
	killTree(h.cmd.Process.Pid)
	select {
	case <-h.done:
	case <-time.After(10 * time.Second):
		h.fleet.t.Errorf("sshd on port %d did not exit after SIGKILL", h.Port)
	}
	h.cmd = nil
}

// killTree kills pid's descendants, deepest first, and then pid. Session shells run in
// sessions of their own, so a process group kill would miss them.
func killTree(pid int) {
	tree := reaper.Tree(pid)
	for i := len(tree) - 1; i >= 0; i-- {
		if tree[i] != pid {
			_ = syscall.Kill(tree[i], syscall.SIGKILL)
		}
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	_ = syscall.Kill(pid, syscall.SIGKILL)
}

// trust adds h's host key to the fleet's known_hosts under [127.0.0.1]:port.
func (f *Fleet) trust(h *Host) {
	f.t.Helper()
	pub, err := os.ReadFile(h.hostKey + ".pub")
	if err != nil {
		f.t.Fatal(err)
	}
	fields := strings.Fields(string(pub))
	if len(fields) < 2 {
		f.t.Fatalf("host key %s.pub is malformed", h.hostKey)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	file, err := os.OpenFile(f.knownHosts, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		f.t.Fatal(err)
	}
	defer file.Close()
	if _, err := fmt.Fprintf(file, "[127.0.0.1]:%d %s %s\n", h.Port, fields[0], fields[1]); err != nil {
		f.t.Fatal(err)
	}
}

// Run runs a shell command on h through the fleet's config and returns its stdout; it fails
// the test when ssh or the command fails.
func (h *Host) Run(command string) string {
	h.fleet.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, h.fleet.SSH, "-T", "-F", h.fleet.ConfigFile, "-o", "BatchMode=yes",
		"-p", strconv.Itoa(h.Port), "127.0.0.1", "--", command)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		h.fleet.t.Fatalf("ssh %s %q: %v: %s", h.Addr(), command, err, stderr.String())
	}
	return string(out)
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// lockedBuffer collects sshd's log from its reader goroutine for failure reports.
type lockedBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *lockedBuffer) WriteLine(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.Buffer.WriteString(s + "\n")
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.String()
}
