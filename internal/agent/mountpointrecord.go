package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
)

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
	var saved []absentPath
	if err := json.Unmarshal(data, &saved); err != nil {
		return errors.Join(fmt.Errorf("the mount point record %s: %w", m.record, err), m.removeRecord())
	}
	saved = slices.DeleteFunc(saved, func(a absentPath) bool { return !slices.Contains(m.candidates, a.Path) })
	_, err = removeMountPoints(saved)
	return errors.Join(err, m.removeRecord())
}

// saveRecord writes absent to the record file, or removes the file when nothing is absent.
// Only the workspace lock's holder writes it, so a fixed temporary name, renamed over the
// record, is enough for a crash to leave the old record or the new one.
func (m *MountPoints) saveRecord(absent []absentPath) error {
	if m.record == "" {
		return nil
	}
	if len(absent) == 0 {
		return m.removeRecord()
	}
	data, err := json.Marshal(absent)
	if err != nil {
		return err
	}
	tmp := m.record + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("write the mount point record: %w", err)
	}
	if err := os.Rename(tmp, m.record); err != nil {
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
