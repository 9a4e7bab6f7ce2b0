package audit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

const fileSuffix = ".ndjson"

// DirName is the audit directory's name inside the state root.
const DirName = "audit"

// Dir returns the audit directory for a state root.
func Dir(stateRoot string) string { return filepath.Join(stateRoot, DirName) }

// dayFile is one daily file; Day is its UTC date as YYYY-MM-DD.
type dayFile struct {
	Day  string
	Path string
}

func fileName(day string) string { return day + fileSuffix }

// listDays returns the audit directory's day files in chronological order. Other entries (the
// torn-fragment folder, an operator's notes) are not part of the chain and are left alone.
func listDays(dir string) ([]dayFile, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit: list %s: %w", dir, err)
	}
	var out []dayFile
	for _, e := range entries {
		day, ok := strings.CutSuffix(e.Name(), fileSuffix)
		if !ok || !e.Type().IsRegular() {
			continue
		}
		if _, err := time.Parse(time.DateOnly, day); err != nil {
			continue
		}
		out = append(out, dayFile{Day: day, Path: filepath.Join(dir, e.Name())})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day < out[j].Day })
	return out, nil
}

// ParseDay validates a YYYY-MM-DD date given on the command line or in an option.
func ParseDay(s string) (string, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return "", fmt.Errorf("audit: date %q is not YYYY-MM-DD", s)
	}
	return t.Format(time.DateOnly), nil
}

// appendDay appends the name of the day (UTC) whose file a record made at t belongs in.
func appendDay(dst []byte, t time.Time) []byte { return t.UTC().AppendFormat(dst, time.DateOnly) }
