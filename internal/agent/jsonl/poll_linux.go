package jsonl

import (
	"errors"
	"io"
	"syscall"

	"golang.org/x/sys/unix"
)

// awaitReadable waits on the runtime's poller, as a read of a pipe or socket does, until fd
// has something to read or has ended, without reading it and so without a buffer. It calls
// beforeWait once if it has to wait. It returns at once when rc cannot be waited on that way.
func awaitReadable(rc syscall.RawConn, beforeWait func()) {
	waited := false
	_ = rc.Read(func(fd uintptr) bool {
		if readable(fd) {
			return true
		}
		if !waited {
			waited = true
			beforeWait()
		}
		return false
	})
}

// readable reports whether fd has input, has ended or has failed, without waiting. A poll
// error other than an interruption would repeat forever, so it counts too: the read that
// follows reports it.
func readable(fd uintptr) bool {
	ready := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(ready, 0)
	return n > 0 || (err != nil && !errors.Is(err, unix.EINTR))
}

// inputWaiter returns a function that waits for input on r without a buffer, calling
// beforeWait first if it has to wait; nil when r is not a file the poller can watch.
func inputWaiter(r io.Reader) func(beforeWait func()) {
	sc, ok := r.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return func(beforeWait func()) { awaitReadable(rc, beforeWait) }
}
