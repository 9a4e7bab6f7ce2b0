package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// savedPath is an absentPath as a record file holds it.
type savedPath struct {
	Path   string `json:"path"`
	Anchor string `json:"anchor"`
	Dev    uint64 `json:"dev"`
	Ino    uint64 `json:"ino"`
}

// NewMountPointsRecorded is NewMountPoints whose record is also kept in the file at record,
// from Record until Sweep. A session that never sweeps (its service was killed) leaves it
// behind, and the next Record with the same file sweeps what it names first. The file must
// be one only the workspace's current holder uses: the workspace lock's companion, since
// whoever holds that lock knows the previous holder's process tree is gone, and a mount point
// is only ever removed once its sandbox has ended.
func NewMountPointsRecorded(candidates []string, record string) *MountPoints {
	return &MountPoints{candidates: candidates, record: record}
}

// sweepSaved removes what the record file left by an earlier session names, keeping to paths
// that are candidates now, so a record naming anything else removes nothing.
func (m *MountPoints) sweepSaved() error {
	if m.record == "" {
		return nil
	}
	data, err := os.ReadFile(m.record)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the mount point record %s: %w", m.record, err)
	}
	var saved []savedPath
	if err := json.Unmarshal(data, &saved); err != nil {
		return errors.Join(fmt.Errorf("the mount point record %s: %w", m.record, err), m.removeRecord())
	}
	var errs []error
	for _, s := range childrenFirst(saved) {
		if !slices.Contains(m.candidates, s.Path) {
			continue
		}
		if _, err := removeIfMountPoint(absentPath{path: s.Path, anchor: s.Anchor, dir: fileID{dev: s.Dev, ino: s.Ino}}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(append(errs, m.removeRecord())...)
}

// childrenFirst orders saved paths deepest first, as Record orders what it notes.
func childrenFirst(saved []savedPath) []savedPath {
	slices.SortStableFunc(saved, func(a, b savedPath) int { return depth(b.Path) - depth(a.Path) })
	return saved
}

// saveRecord writes absent to the record file, or removes the file when nothing is absent. It
// writes a temporary file and renames it, so a crash leaves the old record or the new one.
func (m *MountPoints) saveRecord(absent []absentPath) error {
	if m.record == "" {
		return nil
	}
	if len(absent) == 0 {
		return m.removeRecord()
	}
	saved := make([]savedPath, len(absent))
	for i, a := range absent {
		saved[i] = savedPath{Path: a.path, Anchor: a.anchor, Dev: a.dir.dev, Ino: a.dir.ino}
	}
	data, err := json.Marshal(saved)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(m.record), filepath.Base(m.record)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write the mount point record: %w", err)
	}
	_, werr := tmp.Write(data)
	if err := errors.Join(werr, tmp.Close()); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write the mount point record: %w", err)
	}
	if err := os.Rename(tmp.Name(), m.record); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write the mount point record: %w", err)
	}
	return nil
}

func (m *MountPoints) removeRecord() error {
	if m.record == "" {
		return nil
	}
	if err := os.Remove(m.record); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove the mount point record: %w", err)
	}
	return nil
}
