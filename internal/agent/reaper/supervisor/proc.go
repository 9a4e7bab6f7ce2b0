package supervisor

import (
	"errors"
	"os"
	"strconv"
	"strings"
)

// Stat is the part of /proc/<pid>/stat the supervisor and package reaper need.
type Stat struct {
	State byte
	PPID  int
	// StartTime is in clock ticks since boot (field 22).
	StartTime uint64
}

// ReadStat parses /proc/<pid>/stat. The command name (field 2) is parenthesised and may hold
// spaces or parentheses, so fields are counted from the last ')'.
func ReadStat(pid int) (Stat, error) {
	path := "/proc/" + strconv.Itoa(pid) + "/stat"
	data, err := os.ReadFile(path)
	if err != nil {
		return Stat{}, err
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return Stat{}, errors.New(path + ": no command name")
	}
	// After ')' come field 3 (state), 4 (ppid), ... 22 (starttime).
	fields := strings.Fields(s[i+1:])
	if len(fields) < 20 || len(fields[0]) != 1 {
		return Stat{}, errors.New(path + ": " + strconv.Itoa(len(fields)) + " fields after the command name")
	}
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		return Stat{}, errors.New(path + ": parent pid: " + err.Error())
	}
	start, err := strconv.ParseUint(fields[19], 10, 64)
	if err != nil {
		return Stat{}, errors.New(path + ": start time: " + err.Error())
	}
	return Stat{State: fields[0][0], PPID: ppid, StartTime: start}, nil
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
		st, err := ReadStat(pid)
		if err != nil || st.State == 'Z' {
			continue
		}
		children[st.PPID] = append(children[st.PPID], pid)
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
			if st, err := ReadStat(kid); err == nil && st.State != 'Z' {
				kids = append(kids, kid)
			}
		}
	}
	return kids, nil
}
