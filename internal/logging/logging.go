// Package logging sets up Symphony's structured logs: key=value text (or JSON on request) to
// stderr and to a log file under the logs root, with every configured secret and every
// high-confidence credential pattern scrubbed from messages and attribute values before a
// line is written.
package logging

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/symphony-go/symphony/internal/secretscan"
)

// Options configures New.
type Options struct {
	// Stderr receives the human-facing copy; nil disables it.
	Stderr io.Writer
	// LogsRoot, when set, gets <LogsRoot>/symphony.log (0600, directory 0700).
	LogsRoot string
	// JSON switches both sinks from key=value text to JSON lines.
	JSON  bool
	Level slog.Level
	// Secrets are values (API keys, webhook URLs) scrubbed verbatim wherever they appear.
	Secrets []string
}

// New returns a logger and a function that closes the log file.
func New(opts Options) (*slog.Logger, func() error, error) {
	var sinks []io.Writer
	if opts.Stderr != nil {
		sinks = append(sinks, opts.Stderr)
	}
	closeFn := func() error { return nil }
	if opts.LogsRoot != "" {
		if err := os.MkdirAll(opts.LogsRoot, 0o700); err != nil {
			return nil, nil, fmt.Errorf("create logs root: %w", err)
		}
		f, err := os.OpenFile(filepath.Join(opts.LogsRoot, "symphony.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, nil, fmt.Errorf("open log file: %w", err)
		}
		sinks = append(sinks, f)
		closeFn = f.Close
	}
	w := io.MultiWriter(sinks...)
	hopts := &slog.HandlerOptions{Level: opts.Level}
	var h slog.Handler = slog.NewTextHandler(w, hopts)
	if opts.JSON {
		h = slog.NewJSONHandler(w, hopts)
	}
	return slog.New(NewRedactingHandler(h, secretscan.New(opts.Secrets...))), closeFn, nil
}

// Redactor scrubs secrets from text.
type Redactor interface {
	Redact(string) string
}

// RedactingHandler scrubs the message and every string-valued attribute (including errors
// and values formatted with %v) before passing a record on.
type RedactingHandler struct {
	next     slog.Handler
	redactor Redactor
}

// NewRedactingHandler wraps next.
func NewRedactingHandler(next slog.Handler, r Redactor) *RedactingHandler {
	return &RedactingHandler{next: next, redactor: r}
}

// Enabled implements slog.Handler.
func (h *RedactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

// Handle implements slog.Handler.
func (h *RedactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.redactor.Redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs implements slog.Handler.
func (h *RedactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = h.attr(a)
	}
	return &RedactingHandler{next: h.next.WithAttrs(clean), redactor: h.redactor}
}

// WithGroup implements slog.Handler.
func (h *RedactingHandler) WithGroup(name string) slog.Handler {
	return &RedactingHandler{next: h.next.WithGroup(name), redactor: h.redactor}
}

func (h *RedactingHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.redactor.Redact(v.String()))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]any, len(group))
		for i, g := range group {
			clean[i] = h.attr(g)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, h.redactor.Redact(err.Error()))
		}
		return slog.String(a.Key, h.redactor.Redact(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: a.Key, Value: v}
}
