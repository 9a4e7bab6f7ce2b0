package codex

import (
	"os"
	"syscall"
)

// stdoutPipeBytes is the kernel buffer asked for on Codex's stdout pipe. With the default
// 64 KB, a burst of notifications makes the writer and the reader wake each other for every
// few kilobytes; a larger pipe lets the reader take big reads. The request is best effort.
const stdoutPipeBytes = 1 << 20

func growPipe(f *os.File) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		_, _, _ = syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_SETPIPE_SZ, stdoutPipeBytes)
	})
}
