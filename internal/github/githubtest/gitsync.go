package githubtest

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// gitTimeout bounds the one git command SyncBranchesFromGit runs.
const gitTimeout = 10 * time.Second

// SyncBranchesFromGit sets every branch of the repository fullName to the head it has in the
// git repository at gitDir (typically the bare "origin" a test pushes to), so pull requests,
// check runs and statuses see what was pushed. Branches only the fake knows are kept. It is
// the hook a test's push (or the tools' push) calls after pushing.
func (s *Server) SyncBranchesFromGit(fullName, gitDir string) error {
	ctx, cancel := context.WithTimeout(context.Background(), gitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "-C", gitDir, "for-each-ref", "--format=%(refname:strip=2) %(objectname)", "refs/heads")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("githubtest: list branches of %s: %w: %s", gitDir, err, strings.TrimSpace(stderr.String()))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	owner, name, _ := strings.Cut(fullName, "/")
	repo := s.repos[repoKey(owner, name)]
	if repo == nil {
		return fmt.Errorf("githubtest: no repository %q (AddRepository first)", fullName)
	}
	for line := range strings.Lines(stdout.String()) {
		branch, sha, ok := strings.Cut(strings.TrimSpace(line), " ")
		if ok {
			repo.Branches[branch] = sha
		}
	}
	return nil
}
