package jsonl

import (
	"os"

	"golang.org/x/sys/unix"
)

// awaitExit returns once the process with the given pid has exited, without reaping it.
//
// exec.Cmd.Wait blocks in waitid, a system call that holds an OS thread for as long as the
// child runs: one thread, with its 48 KiB of runtime stacks, per running agent. A pidfd
// becomes readable when its process exits, so this waits on the runtime's poller instead,
// as a socket read does, and the Wait that follows returns at once. Where pidfds are missing
// (Linux before 5.3) or cannot be polled, it returns at once and Wait blocks as before.
//
// The pid cannot name another process meanwhile: the child stays a zombie until Wait reaps it.
func awaitExit(pid int) {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return
	}
	pidfd := os.NewFile(uintptr(fd), "pidfd")
	defer pidfd.Close()
	rc, err := pidfd.SyscallConn()
	if err != nil {
		return
	}
	awaitReadable(rc, func() {})
}
