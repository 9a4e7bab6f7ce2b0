package jsonl

import (
	"os"
	"syscall"
)

// stdoutPipeBytes is the kernel buffer asked for on the child's stdout pipe. With the default
// 64 KB a burst of output makes writer and reader wake each other every few kilobytes; a
// larger pipe lets the reader take big reads. The request is best effort.
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
