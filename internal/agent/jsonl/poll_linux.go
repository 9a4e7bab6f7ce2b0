package jsonl

import (
	"io"
	"os"
	"syscall"
	"unsafe"

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
// follows reports it. A poll that does not wait cannot block, so it is a raw system call
// (see rawPipe).
func readable(fd uintptr) bool {
	ready := unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
	var now unix.Timespec
	n, _, errno := unix.RawSyscall6(unix.SYS_PPOLL, uintptr(unsafe.Pointer(&ready)), 1, uintptr(unsafe.Pointer(&now)), 0, 0, 0)
	return n > 0 || (errno != 0 && errno != unix.EINTR)
}

// pollInput returns what to read r's lines from, and a function that waits for input on r
// without a buffer, calling beforeWait first if it has to wait (nil when r is not a file the
// poller can watch). A pipe or socket, which an agent's stdout is, is read through rawPipe.
func pollInput(r io.Reader) (io.Reader, func(beforeWait func())) {
	sc, ok := r.(syscall.Conn)
	if !ok {
		return r, nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return r, nil
	}
	await := func(beforeWait func()) { awaitReadable(rc, beforeWait) }
	if f, ok := r.(*os.File); ok && isPipeOrSocket(rc) {
		return rawPipe{f: f, rc: rc}, await
	}
	return r, await
}

// isPipeOrSocket reports whether rc is a pipe or a socket, whose reads never wait on a disk.
func isPipeOrSocket(rc syscall.RawConn) bool {
	var st unix.Stat_t
	var statErr error
	if err := rc.Control(func(fd uintptr) { statErr = unix.Fstat(int(fd), &st) }); err != nil || statErr != nil {
		return false
	}
	kind := st.Mode & unix.S_IFMT
	return kind == unix.S_IFIFO || kind == unix.S_IFSOCK
}

// rawPipe reads a non-blocking pipe or socket with raw read(2) calls on the runtime's poller.
// os.File's reads tell the scheduler they are in a system call, which matters for calls that
// can block but costs a busy service dearly for ones that cannot: the first such call after
// the service went idle wakes the runtime's monitor thread (sysmon), which then polls every
// 20 µs until the service is idle again. With 200 agents streaming, every burst of output did
// that, and sysmon took about a tenth of the service's CPU. A read of a non-blocking
// descriptor returns at once, with data or EAGAIN, on which the poller waits as it would for
// os.File.
type rawPipe struct {
	f  *os.File
	rc syscall.RawConn
}

func (p rawPipe) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	var n int
	var errno syscall.Errno
	err := p.rc.Read(func(fd uintptr) bool {
		for {
			r, _, e := unix.RawSyscall(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
			switch e {
			case unix.EINTR:
				continue
			case unix.EAGAIN:
				return false
			}
			n, errno = int(r), e
			return true
		}
	})
	switch {
	case err != nil:
		// The file was closed, or cannot be waited on: os.File says which, in its own words
		// (os.ErrClosed for a closed file).
		return p.f.Read(b)
	case errno != 0:
		return 0, &os.PathError{Op: "read", Path: p.f.Name(), Err: errno}
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}
