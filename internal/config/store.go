package config

import (
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Store serves the last good configuration while symphony.yml and the repositories'
// WORKFLOW.md files are edited. It watches their directories (editors replace files by
// rename, which a watch on the file itself would lose), reloads on change, and keeps the
// previous configuration when a reload fails, reporting the failure instead.
type Store struct {
	path   string
	env    Env
	logger *slog.Logger

	mu        sync.RWMutex
	current   *Config
	lastErr   error
	signature string
	watched   map[string]bool

	watcher *fsnotify.Watcher
	changed chan struct{}
}

// NewStore loads path once; it fails if that first load fails.
func NewStore(path string, env Env, logger *slog.Logger) (*Store, error) {
	if env == nil {
		env = os.LookupEnv
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := LoadWithEnv(path, env)
	if err != nil {
		return nil, err
	}
	s := &Store{path: path, env: env, logger: logger, current: cfg, changed: make(chan struct{}, 1),
		watched: map[string]bool{}}
	s.signature = s.fileSignature(cfg)
	return s, nil
}

// Current returns the last configuration that loaded without problems.
func (s *Store) Current() *Config {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.current
}

// LastError returns the problem with the newest edit, or nil when the files on disk are the
// configuration being served.
func (s *Store) LastError() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.lastErr
}

// Changed delivers a signal after each successful reload that changed the configuration.
func (s *Store) Changed() <-chan struct{} { return s.changed }

// Revalidate reloads when any watched file changed since the last load, whether or not a
// watch event arrived. Callers run it before dispatch so a missed event cannot leave a stale
// configuration in force.
func (s *Store) Revalidate() *Config {
	s.mu.RLock()
	cur, sig := s.current, s.signature
	s.mu.RUnlock()
	if s.fileSignature(cur) != sig {
		s.reload()
	}
	return s.Current()
}

// Run watches until ctx ends. Bursts of events are coalesced into one reload.
func (s *Store) Run(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	s.mu.Lock()
	s.watcher = w
	s.mu.Unlock()
	s.watchDirs(s.Current())

	const settle = 100 * time.Millisecond
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return errors.New("config watcher closed")
			}
			if s.isWatchedFile(ev.Name) {
				timer.Reset(settle)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return errors.New("config watcher closed")
			}
			s.logger.Warn("config watch error; relying on revalidation before dispatch", "error", err)
		case <-timer.C:
			s.reload()
		}
	}
}

func (s *Store) reload() {
	cfg, err := LoadWithEnv(s.path, s.env)
	s.mu.Lock()
	if err != nil {
		s.lastErr = err
		// Remember what was seen so the same broken files are not reloaded on every check.
		s.signature = s.fileSignature(s.current)
		s.mu.Unlock()
		s.logger.Error("configuration reload failed; keeping the last good configuration", "path", s.path, "error", err)
		return
	}
	s.current, s.lastErr = cfg, nil
	s.signature = s.fileSignature(cfg)
	s.mu.Unlock()
	s.watchDirs(cfg)
	s.logger.Info("configuration reloaded", "path", s.path, "repositories", len(cfg.Repositories))
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// files lists symphony.yml and every repository workflow of cfg.
func (s *Store) files(cfg *Config) []string {
	abs, err := filepath.Abs(s.path)
	if err != nil {
		abs = s.path
	}
	out := []string{abs}
	for _, r := range cfg.Repositories {
		out = append(out, r.WorkflowPath)
	}
	return out
}

func (s *Store) isWatchedFile(name string) bool {
	clean := filepath.Clean(name)
	for _, f := range s.files(s.Current()) {
		if f == clean {
			return true
		}
	}
	return false
}

func (s *Store) watchDirs(cfg *Config) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.watcher == nil {
		return
	}
	for _, f := range s.files(cfg) {
		dir := filepath.Dir(f)
		if s.watched[dir] {
			continue
		}
		if err := s.watcher.Add(dir); err != nil {
			s.logger.Warn("cannot watch config directory; relying on revalidation before dispatch", "dir", dir, "error", err)
			continue
		}
		s.watched[dir] = true
	}
}

// fileSignature fingerprints the watched files' contents; they are small, and hashing
// catches edits that keep the size and land within one timestamp tick.
func (s *Store) fileSignature(cfg *Config) string {
	h := sha256.New()
	for _, f := range s.files(cfg) {
		h.Write([]byte(f))
		if data, err := os.ReadFile(f); err == nil {
			h.Write(data)
		} else {
			h.Write([]byte("\x00missing"))
		}
		h.Write([]byte{0})
	}
	return string(h.Sum(nil))
}
