package reaper

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Identity names one process across pid reuse: the pid and its start time in clock ticks
// since boot (/proc/<pid>/stat field 22).
type Identity struct {
	PID       int
	StartTime uint64
}

// procStat is the part of /proc/<pid>/stat this package needs.
type procStat struct {
	state     byte
	ppid      int
	startTime uint64
}

// readStat parses /proc/<pid>/stat. The command name (field 2) is parenthesised and may hold
// spaces or parentheses, so fields are counted from the last ')'.
func readStat(pid int) (procStat, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, err
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	// After ')' come field 3 (state), 4 (ppid), ... 22 (starttime).
	fields := strings.Fields(s[i+1:])
	if len(fields) < 20 || len(fields[0]) != 1 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: %d fields after the command name", pid, len(fields))
	}
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		return procStat{}, fmt.Errorf("/proc/%d/stat: parent pid: %w", pid, err)
	}
	start, err := strconv.ParseUint(fields[19], 10, 64)
	if err != nil {
		return procStat{}, fmt.Errorf("/proc/%d/stat: start time: %w", pid, err)
	}
	return procStat{state: fields[0][0], ppid: ppid, startTime: start}, nil
}

// Identify returns the identity of a running process.
func Identify(pid int) (Identity, error) {
	st, err := readStat(pid)
	if err != nil {
		return Identity{}, fmt.Errorf("identify process %d: %w", pid, err)
	}
	return Identity{PID: pid, StartTime: st.startTime}, nil
}

// IdentifyChild returns the identity of pid if it is a live child of this process. A child
// stays unreaped until its parent waits for it, so its identity cannot be stale.
func IdentifyChild(pid int) (Identity, error) {
	st, err := readStat(pid)
	if err != nil {
		return Identity{}, fmt.Errorf("identify process %d: %w", pid, err)
	}
	if st.ppid != os.Getpid() {
		return Identity{}, fmt.Errorf("process %d is not a child of this process (its parent is %d)", pid, st.ppid)
	}
	return Identity{PID: pid, StartTime: st.startTime}, nil
}

// Alive reports whether the process id names is still running: same pid, same start time,
// and not a zombie.
func (id Identity) Alive() bool {
	if id.PID <= 0 {
		return false
	}
	st, err := readStat(id.PID)
	return err == nil && st.startTime == id.StartTime && st.state != 'Z'
}

// Tree lists pid and all its live descendants, parents before children. It reads the kernel's
// per-thread children lists, a file per descendant, and walks all of /proc only on a kernel
// without them: the service and every supervisor call it when an agent ends, and reading
// every process's stat on the machine each time was most of their CPU at 200 agents.
func Tree(pid int) []int {
	tree := []int{pid}
	for i := 0; i < len(tree); i++ {
		kids, err := childrenOf(tree[i])
		if err != nil {
			return procWalkTree(pid)
		}
		tree = append(tree, kids...)
	}
	return tree
}

// procWalkTree is Tree by a walk of every process in /proc.
func procWalkTree(pid int) []int {
	children, err := childMap()
	if err != nil {
		return []int{pid}
	}
	tree := []int{pid}
	for i := 0; i < len(tree); i++ {
		tree = append(tree, children[tree[i]]...)
	}
	return tree
}

// childMap maps every parent pid to its live (non-zombie) children.
func childMap() (map[int][]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	children := map[int][]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := readStat(pid)
		if err != nil || st.state == 'Z' {
			continue
		}
		children[st.ppid] = append(children[st.ppid], pid)
	}
	return children, nil
}

// childrenOf lists pid's live (non-zombie) children from /proc/<pid>/task/<tid>/children,
// one list per thread (a child belongs to the thread that forked it, or that an orphan was
// reparented to). It fails when the kernel keeps no such lists. Like a walk of /proc, a
// listing can miss a process forked meanwhile; callers that must see the tree gone loop.
func childrenOf(pid int) ([]int, error) {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	tasks, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil // pid exited since its parent listed it
		}
		return nil, err
	}
	var kids []int
	for _, t := range tasks {
		data, err := os.ReadFile(dir + "/" + t.Name() + "/children")
		if os.IsNotExist(err) {
			if _, serr := os.Stat(dir + "/" + t.Name()); serr == nil {
				return nil, err // the thread is there but the kernel keeps no children list
			}
			continue // the thread exited
		}
		if err != nil {
			return nil, err
		}
		for _, f := range strings.Fields(string(data)) {
			kid, err := strconv.Atoi(f)
			if err != nil {
				continue
			}
			if st, err := readStat(kid); err == nil && st.state != 'Z' {
				kids = append(kids, kid)
			}
		}
	}
	return kids, nil
}
