package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// TornDirName is the folder, inside the audit directory, that keeps torn fragments.
const TornDirName = "torn"

const pendingSuffix = ".pending"

// tornFragment is a torn final line moved out of the chain, waiting for its repair record.
type tornFragment struct {
	Path   string // the .pending side file
	File   string // day file the bytes came from
	Line   int
	Offset int64
	Bytes  int
	SHA256 string
}

func (t tornFragment) finalPath() string { return strings.TrimSuffix(t.Path, pendingSuffix) }

// recordedBy reports whether rec is this fragment's repair record, as written by a start that
// crashed before it could mark the side file done.
func (t tornFragment) recordedBy(rec *Record, dir string) bool {
	if rec == nil || rec.EventType != EventTornLineRepaired {
		return false
	}
	want := t.event(dir).Details
	return rec.Details["fragment"] == want["fragment"] && rec.Details["fragment_sha256"] == want["fragment_sha256"]
}

func (t tornFragment) event(dir string) Event {
	rel, err := filepath.Rel(dir, t.finalPath())
	if err != nil {
		rel = t.finalPath()
	}
	return Event{Type: EventTornLineRepaired, Details: map[string]any{
		"file":            t.File,
		"line":            t.Line,
		"offset":          t.Offset,
		"bytes":           t.Bytes,
		"fragment_sha256": t.SHA256,
		"fragment":        rel,
	}}
}

// resume finds the chain's last record and moves a torn final line aside. It returns the
// fragments whose repair still has to be recorded, including any a crash interrupted before.
func (l *Log) resume() ([]tornFragment, error) {
	days, err := listDays(l.opts.Dir)
	if err != nil {
		return nil, err
	}
	newest := true
	for i := len(days) - 1; i >= 0; i-- {
		df := days[i]
		var last []byte
		lastNo := 0
		var torn *line
		if _, err := eachLine(df.Path, func(ln line) error {
			if ln.Torn {
				c := ln
				c.Data = append([]byte(nil), ln.Data...)
				torn = &c
				return nil
			}
			last = append(last[:0], ln.Data...)
			lastNo = ln.No
			return nil
		}); err != nil {
			return nil, err
		}
		if last == nil && torn == nil {
			continue
		}
		if torn != nil {
			if !newest {
				return nil, fmt.Errorf("audit: %s line %d is cut short in the middle of the chain; run `symphony audit verify`", df.Path, torn.No)
			}
			if err := l.moveAside(df, *torn); err != nil {
				return nil, err
			}
		}
		newest = false
		if last == nil {
			continue
		}
		rec, err := decodeLine(last)
		if err != nil {
			return nil, fmt.Errorf("audit: last record of %s (line %d) is unreadable: %v; run `symphony audit verify`", df.Path, lastNo, err)
		}
		l.lastSeq, l.lastHash, l.lastDay = rec.Seq, rec.RecordHash, df.Day
		l.lastRecord = rec
		break
	}
	return l.pendingFragments()
}

// moveAside copies the torn bytes to a pending side file, then cuts them from the day file.
// The order matters: a crash in between leaves the bytes in both places, never in neither.
func (l *Log) moveAside(df dayFile, torn line) error {
	tornDir := filepath.Join(l.opts.Dir, TornDirName)
	if err := os.MkdirAll(tornDir, 0o700); err != nil {
		return fmt.Errorf("audit: create %s: %w", tornDir, err)
	}
	name := fmt.Sprintf("%s.line-%d.offset-%d.fragment%s", df.Day, torn.No, torn.Offset, pendingSuffix)
	path := filepath.Join(tornDir, name)
	if err := writeDurable(path, torn.Data); err != nil {
		return err
	}
	if err := syncDir(tornDir); err != nil {
		return err
	}
	f, err := os.OpenFile(df.Path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("audit: open %s to repair its torn line: %w", df.Path, err)
	}
	defer f.Close()
	if err := f.Truncate(torn.Offset); err != nil {
		return fmt.Errorf("audit: cut torn line %d from %s: %w", torn.No, df.Path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("audit: fsync %s: %w", df.Path, err)
	}
	return nil
}

func writeDurable(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("audit: create %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("audit: write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("audit: fsync %s: %w", path, err)
	}
	return f.Close()
}

// pendingFragments lists side files whose repair record was not yet written, oldest first.
func (l *Log) pendingFragments() ([]tornFragment, error) {
	tornDir := filepath.Join(l.opts.Dir, TornDirName)
	entries, err := os.ReadDir(tornDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit: list %s: %w", tornDir, err)
	}
	var out []tornFragment
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), pendingSuffix) {
			continue
		}
		t, err := parseFragmentName(e.Name())
		if err != nil {
			return nil, fmt.Errorf("audit: %s: %w", filepath.Join(tornDir, e.Name()), err)
		}
		t.Path = filepath.Join(tornDir, e.Name())
		data, err := os.ReadFile(t.Path)
		if err != nil {
			return nil, fmt.Errorf("audit: read %s: %w", t.Path, err)
		}
		sum := sha256.Sum256(data)
		t.Bytes, t.SHA256 = len(data), hex.EncodeToString(sum[:])
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// parseFragmentName reads back "<day>.line-<n>.offset-<n>.fragment.pending".
func parseFragmentName(name string) (tornFragment, error) {
	parts := strings.Split(strings.TrimSuffix(name, ".fragment"+pendingSuffix), ".")
	if len(parts) != 3 || !strings.HasPrefix(parts[1], "line-") || !strings.HasPrefix(parts[2], "offset-") {
		return tornFragment{}, fmt.Errorf("not a torn-fragment name")
	}
	day, err := ParseDay(parts[0])
	if err != nil {
		return tornFragment{}, err
	}
	no, err1 := strconv.Atoi(strings.TrimPrefix(parts[1], "line-"))
	off, err2 := strconv.ParseInt(strings.TrimPrefix(parts[2], "offset-"), 10, 64)
	if err1 != nil || err2 != nil {
		return tornFragment{}, fmt.Errorf("not a torn-fragment name")
	}
	return tornFragment{File: fileName(day), Line: no, Offset: off}, nil
}
