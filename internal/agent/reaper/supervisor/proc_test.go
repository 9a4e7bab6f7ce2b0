package supervisor

import (
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestTreeMatchesAWalkOfProc checks Tree's reading of the kernel's children lists against a
// walk of every process in /proc, for a shell with a child and a grandchild.
func TestTreeMatchesAWalkOfProc(t *testing.T) {
	cmd := exec.Command("sh", "-c", "sleep 61 & sh -c 'sleep 62 & wait' & wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	root := cmd.Process.Pid
	for end := time.Now().Add(10 * time.Second); !hasSleeps(Tree(root), "61", "62"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("the sleeps never appeared below %d", root)
		}
	}
	if _, err := childrenOf(root); err != nil {
		t.Skipf("no per-thread children lists on this kernel: %v", err)
	}
	got, walked := Tree(root), procWalkTree(root)
	if len(got) != 4 || got[0] != root {
		t.Fatalf("Tree(%d) = %v, want the shell, its two children and a grandchild", root, got)
	}
	slices.Sort(got)
	slices.Sort(walked)
	if !slices.Equal(got, walked) {
		t.Fatalf("Tree(%d) = %v, the /proc walk found %v", root, got, walked)
	}
}

// hasSleeps reports whether tree holds a `sleep N` for every N in args.
func hasSleeps(tree []int, args ...string) bool {
	for _, a := range args {
		found := slices.ContainsFunc(tree, func(p int) bool {
			b, _ := os.ReadFile("/proc/" + strconv.Itoa(p) + "/cmdline")
			return string(b) == "sleep\x00"+a+"\x00"
		})
		if !found {
			return false
		}
	}
	return true
}

func TestReadStatReadsStateParentAndStartTime(t *testing.T) {
	st, err := ReadStat(os.Getpid())
	if err != nil || st.PPID != os.Getppid() || st.StartTime == 0 || !strings.ContainsRune("RS", rune(st.State)) {
		t.Fatalf("ReadStat(self) = %+v, %v; want parent %d, a start time and a running state", st, err, os.Getppid())
	}
	if _, err := ReadStat(1 << 30); err == nil {
		t.Fatal("ReadStat of a pid that cannot exist succeeded")
	}
}
