package doctor

import (
	"fmt"
	"syscall"
)

// lowDiskBytes is the free space under which a workspace root earns a warning even without a
// configured guard: a few clones and their build output fill less than this.
const lowDiskBytes = 1 << 30

// checkDisk measures free space where workspaces will be created. Below the disk guard's
// minimum the service pauses dispatch until space frees, so that failure is transient.
func checkDisk(root string, minFree uint64, freeBytes func(string) (uint64, error)) Result {
	dir, info, err := nearestExisting(root)
	if err != nil || !info.IsDir() {
		return warn("fix the workspace root first", "free space of %s cannot be measured: no existing directory on its path", root)
	}
	free, err := freeBytes(dir)
	if err != nil {
		return warn(fmt.Sprintf("check the filesystem holding %s", dir), "free space of %s cannot be measured: %v", dir, err)
	}
	guard := "no disk guard (workspaces.cleanup.min_free_bytes unset)"
	if minFree > 0 {
		guard = "guard at " + HumanBytes(minFree)
	}
	switch {
	case minFree > 0 && free < minFree:
		return transient(fmt.Sprintf("free space on the filesystem of %s or lower workspaces.cleanup.min_free_bytes", dir),
			"%s free on %s, below workspaces.cleanup.min_free_bytes (%s): dispatch pauses until space frees", HumanBytes(free), dir, HumanBytes(minFree))
	case free < lowDiskBytes:
		return warn(fmt.Sprintf("free space on the filesystem of %s", dir), "only %s free on %s; %s", HumanBytes(free), dir, guard)
	}
	return ok("%s free on %s; %s", HumanBytes(free), dir, guard)
}

func statfsFreeBytes(dir string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}

// HumanBytes formats a byte count in binary units (512B, 3.2GiB), as the checks print it.
func HumanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	value, exp := float64(n), 0
	for value >= unit && exp < 4 {
		value /= unit
		exp++
	}
	return fmt.Sprintf("%.1f%ciB", value, "KMGT"[exp-1])
}
