package config

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/symphony-go/symphony/internal/yamlschema"
)

// Store serves the last good configuration while symphony.yml and the repositories'
// WORKFLOW.md files are edited. It watches their directories (editors replace files by
// rename, which a watch on the file itself would lose), reloads on change, and keeps the
// previous configuration when a reload fails, reporting the failure instead.
type Store struct {
	path   string
	env    Env
	logger *slog.Logger
	// load reads the files; it is loadFiles, replaced only by tests that need it to fail in
	// ways real files cannot make it fail.
	load func(path string, env Env) (*Config, []string, error)

	// reloading serializes reloads, so a slow load cannot overwrite a newer one.
	reloading sync.Mutex

	mu      sync.RWMutex
	current *Config
	lastErr error
	// files are the files the newest load attempt read, failed or not: a failed load may
	// name a workflow the current configuration does not, and fixing it must trigger a
	// reload. signature fingerprints their contents as that attempt saw them.
	files     []string
	signature string
	watched   map[string]bool

	watcher *fsnotify.Watcher
	changed chan struct{}
}

// NewStore serves cfg, loaded by Load or LoadWithEnv with env, and reloads it from the same
// files with the same environment.
func NewStore(cfg *Config, env Env, logger *slog.Logger) *Store {
	if env == nil {
		env = os.LookupEnv
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	files := cfg.files()
	return &Store{path: cfg.Path, env: env, logger: logger, load: loadFiles, current: cfg, files: files,
		signature: fileSignature(files), changed: make(chan struct{}, 1), watched: map[string]bool{}}
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
	files, sig := s.files, s.signature
	s.mu.RUnlock()
	if fileSignature(files) != sig {
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
	s.watchDirs()

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
	s.reloading.Lock()
	defer s.reloading.Unlock()
	cfg, files, err := s.loadRecovering()
	// Remember what was read, so the same broken files are not reloaded on every check.
	sig := fileSignature(files)
	s.mu.Lock()
	s.files, s.signature = files, sig
	if err != nil {
		s.lastErr = err
	} else {
		s.current, s.lastErr = cfg, nil
	}
	s.mu.Unlock()
	s.watchDirs()
	if err != nil {
		s.logger.Error("configuration reload failed; keeping the last good configuration", "path", s.path, "error", err)
		return
	}
	s.logger.Info("configuration reloaded", "path", s.path, "repositories", len(cfg.Repositories))
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// loadRecovering loads the files and turns a panic anywhere in loading into a failed load:
// whatever an edited file does to the code that reads it, the service keeps running on the
// last good configuration. It reports the files the previous attempt read, so an edit to
// any of them triggers the next attempt.
func (s *Store) loadRecovering() (cfg *Config, files []string, err error) {
	defer func() {
		if r := recover(); r != nil {
			cfg, err = nil, yamlschema.Errors{{Code: CodeParseError, Problem: yamlschema.Problem{
				File: s.path, Msg: fmt.Sprintf("loading failed with an internal error (please report it): %v", r)}}}
			s.mu.RLock()
			files = s.files
			s.mu.RUnlock()
		}
	}()
	return s.load(s.path, s.env)
}

func (s *Store) isWatchedFile(name string) bool {
	clean := filepath.Clean(name)
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Contains(s.files, clean)
}

func (s *Store) watchDirs() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.watcher == nil {
		return
	}
	for _, f := range s.files {
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

// fileSignature fingerprints the files' contents; they are small, and hashing catches edits
// that keep the size and land within one timestamp tick.
func fileSignature(files []string) string {
	h := sha256.New()
	for _, f := range files {
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
