package codex

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/symphony-go/symphony/internal/agent"
)

// Codex writes a thread's whole conversation to a rollout file under CODEX_HOME/sessions
// (sessions/YYYY/MM/DD/rollout-<time>-<thread id>.jsonl), and thread/resume finds it there by
// the thread id. A session's CODEX_HOME is private and removed when it stops, so KeepThread
// copies the rollout out first, and a later session copies it back into its own fresh home, at
// the same relative path, before it asks for thread/resume. Only the rollout carries over:
// the new home keeps its own config, auth link and MCP servers.

// rolloutDir is where Codex keeps rollouts inside CODEX_HOME.
const rolloutDir = "sessions"

var _ agent.ThreadKeeper = (*Session)(nil)

// KeepThread copies the thread's rollout into dir, so a later session can continue the
// thread. It must be called before Stop, which removes the session's home.
func (s *Session) KeepThread(dir string) (agent.KeptThread, error) {
	id := s.ThreadID()
	if id == "" || s.dirs.home == "" {
		return agent.KeptThread{}, errors.New("keep codex thread: the session has no thread")
	}
	src, err := findRollout(filepath.Join(s.dirs.home, rolloutDir), id)
	if err != nil {
		return agent.KeptThread{}, err
	}
	rel, err := filepath.Rel(s.dirs.home, src)
	if err != nil {
		return agent.KeptThread{}, fmt.Errorf("keep codex thread: %w", err)
	}
	if err := copyFile(src, filepath.Join(dir, rel)); err != nil {
		return agent.KeptThread{}, fmt.Errorf("keep codex thread: %w", err)
	}
	return agent.KeptThread{ThreadID: id, Dir: dir}, nil
}

// ResumeErr says why Start began a new thread instead of continuing Options.Resume.
func (s *Session) ResumeErr() error { return s.resumeErr }

// findRollout is the rollout file of thread id under root.
func findRollout(root, id string) (string, error) {
	var found string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasPrefix(d.Name(), "rollout-") && strings.HasSuffix(d.Name(), "-"+id+".jsonl") {
			found = p
			return fs.SkipAll
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("find the rollout of codex thread %s: %w", id, err)
	}
	if found == "" {
		return "", fmt.Errorf("codex wrote no rollout for thread %s under %s", id, root)
	}
	return found, nil
}

// resumeThread puts the kept rollout into this session's home and continues its thread.
func (s *Session) resumeThread(ctx context.Context, kept agent.KeptThread, params threadStartParams) (threadStartResult, error) {
	var resumed threadStartResult
	src, err := findRollout(filepath.Join(kept.Dir, rolloutDir), kept.ThreadID)
	if err != nil {
		return resumed, err
	}
	rel, err := filepath.Rel(kept.Dir, src)
	if err != nil {
		return resumed, err
	}
	if err := copyFile(src, filepath.Join(s.dirs.home, rel)); err != nil {
		return resumed, fmt.Errorf("restore the rollout: %w", err)
	}
	params.ThreadID = kept.ThreadID
	if err := s.call(ctx, "thread/resume", params, &resumed); err != nil {
		return resumed, err
	}
	if resumed.Thread.ID != kept.ThreadID {
		return resumed, agent.Errorf(agent.CodeResponseError, "thread/resume answered with thread %q, want %q", resumed.Thread.ID, kept.ThreadID)
	}
	return resumed, nil
}

// copyFile copies src to dst, private to this user, creating dst's directories.
func copyFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}
