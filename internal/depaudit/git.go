package depaudit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// DefaultGitTimeout bounds each git command the audit runs.
const DefaultGitTimeout = 30 * time.Second

// gitOutputLimit caps what one git command may print: a file list or one blob within
// MaxFileBytes, plus room to notice that it went past.
const gitOutputLimit = MaxFileBytes + 1

// gitRunner runs git in one repository with a timeout per command.
type gitRunner struct {
	dir     string
	timeout time.Duration
}

// run runs `git -C dir args...` in its own process group, killed with the group when the
// timeout ends. The workspace belongs to the agent, so repository configuration that could
// run a program (fsmonitor, external diff, textconv) is switched off on the command line.
func (g gitRunner) run(ctx context.Context, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	full := append([]string{"--literal-pathspecs", "-C", g.dir, "-c", "core.fsmonitor=false", "-c", "diff.external=", "-c", "core.hooksPath=/dev/null"}, args...)
	cmd := exec.CommandContext(ctx, "git", full...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_OPTIONAL_LOCKS=0")
	stdout := &limitedBuffer{limit: gitOutputLimit}
	var stderr limitedBuffer
	stderr.limit = 4 << 10
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	err := cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	what := "git " + strings.Join(args, " ")
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("%s in %s: exceeded %s", what, g.dir, g.timeout)
		}
		if msg := strings.TrimSpace(stderr.buf.String()); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return nil, fmt.Errorf("%s in %s: %w", what, g.dir, err)
	}
	if stdout.over {
		return nil, fmt.Errorf("%s in %s: output exceeds %d bytes", what, g.dir, MaxFileBytes)
	}
	return stdout.buf.Bytes(), nil
}

// limitedBuffer keeps the first limit bytes and remembers whether more came.
type limitedBuffer struct {
	buf   bytes.Buffer
	limit int
	over  bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(room, len(p))])
	}
	if b.buf.Len()+len(p) > b.limit {
		b.over = true
	}
	return len(p), nil
}

// mergeBase resolves the merge base of base and head.
func (g gitRunner) mergeBase(ctx context.Context, base, head string) (string, error) {
	out, err := g.run(ctx, "merge-base", "--end-of-options", base, head)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// commit resolves a revision to its commit id, so later commands see only hex ids.
func (g gitRunner) commit(ctx context.Context, rev string) (string, error) {
	out, err := g.run(ctx, "rev-parse", "--verify", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// changedFiles lists the paths that differ between two commits.
func (g gitRunner) changedFiles(ctx context.Context, from, to string) ([]string, error) {
	out, err := g.run(ctx, "diff", "--no-ext-diff", "--no-textconv", "--no-renames", "--name-only", "-z", from, to, "--")
	if err != nil {
		return nil, err
	}
	var files []string
	for _, f := range strings.Split(string(out), "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	return files, nil
}

// errTooLarge reports a blob over MaxFileBytes.
var errTooLarge = errors.New("file is larger than the audit reads")

// blobInfo is a file in a commit's tree.
type blobInfo struct {
	object string
	size   int64
}

// tree looks the given files up in a commit's tree in one command; files missing there (or
// not regular files) are absent from the result.
func (g gitRunner) tree(ctx context.Context, rev string, files []string) (map[string]blobInfo, error) {
	out := map[string]blobInfo{}
	if len(files) == 0 {
		return out, nil
	}
	raw, err := g.run(ctx, append([]string{"ls-tree", "-z", "-l", "--full-tree", rev, "--"}, files...)...)
	if err != nil {
		return nil, err
	}
	for _, entry := range strings.Split(string(raw), "\x00") {
		// <mode> SP <type> SP <object> SP+ <size> TAB <path>
		meta, file, ok := strings.Cut(entry, "\t")
		fields := strings.Fields(meta)
		if !ok || len(fields) != 4 || fields[1] != "blob" {
			continue
		}
		size, err := strconv.ParseInt(fields[3], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("git ls-tree %s: unreadable size %q for %s", rev, fields[3], file)
		}
		out[file] = blobInfo{object: fields[2], size: size}
	}
	return out, nil
}

// read returns a blob's content, refusing one over MaxFileBytes before reading it.
func (g gitRunner) read(ctx context.Context, b blobInfo) ([]byte, error) {
	if b.size > MaxFileBytes {
		return nil, fmt.Errorf("%w (%d bytes, limit %d)", errTooLarge, b.size, MaxFileBytes)
	}
	return g.run(ctx, "cat-file", "blob", b.object)
}
