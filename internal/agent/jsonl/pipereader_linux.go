package jsonl

import (
	"fmt"
	"io"
	"os"
	"syscall"
	"unsafe"
)

// pipeReader reads the child's stdout pipe, which is non-blocking and in the runtime's
// poller, with a raw read(2). An ordinary read tells the scheduler it may block, and a
// stream of reads copying kilobytes each lets the scheduler's monitor catch one in progress
// and hand the goroutine's processor to another thread: under 50 agents streaming, that
// churn was about a fifth of the service's context switches. A read of a non-blocking pipe
// cannot block, so it need not tell the scheduler; an empty pipe still parks the goroutine in
// the poller.
type pipeReader struct {
	conn syscall.RawConn
}

// stdoutReader is the reader of the child's stdout pipe f.
func stdoutReader(f *os.File) io.Reader {
	conn, err := f.SyscallConn()
	if err != nil {
		return f
	}
	return &pipeReader{conn: conn}
}

func (r *pipeReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n int
	var errno syscall.Errno
	waitErr := r.conn.Read(func(fd uintptr) bool {
		for {
			got, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
			if e == syscall.EINTR {
				continue
			}
			n, errno = int(got), e
			// EAGAIN: the pipe is empty, so wait in the poller and try again.
			return e != syscall.EAGAIN
		}
	})
	switch {
	case waitErr != nil:
		// The poller gives up on a file only when it is being closed.
		return 0, fmt.Errorf("%w: %v", os.ErrClosed, waitErr)
	case errno != 0:
		return 0, &os.PathError{Op: "read", Path: "|0", Err: errno}
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}
