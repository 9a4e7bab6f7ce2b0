package codex

import "sync/atomic"

// readChunkBytes is how much the reader asks the pipe for at a time. The complete lines a read
// returns go to the queue as one batch, straight from the buffer the kernel filled.
const readChunkBytes = 256 << 10

// readBuffer is a chunk of stdout as the reader filled it. The batches of lines queued from
// it share it, and the reader holds it while it keeps reading into its free space. When the
// last of them lets go it returns to its pool: a flood of notifications then reuses a few
// warm buffers instead of making the allocator and the collector handle every byte.
type readBuffer struct {
	data []byte
	refs atomic.Int32
	pool *bufferPool
}

func (b *readBuffer) retain() { b.refs.Add(1) }

// release drops one reference; nil is ignored, for batches whose bytes are not pooled.
func (b *readBuffer) release() {
	if b == nil {
		return
	}
	if b.refs.Add(-1) == 0 {
		b.pool.put(b)
	}
}

// bufferPool keeps freed read buffers of the standard size for the next reads. It holds at
// most enough for a full queue plus the one being read into; more are left to the collector.
type bufferPool struct {
	free chan *readBuffer
}

func newBufferPool(queueBudget int) *bufferPool {
	return &bufferPool{free: make(chan *readBuffer, queueBudget/readChunkBytes+2)}
}

// get returns a buffer with room for at least size bytes and one reference, the caller's.
func (p *bufferPool) get(size int) *readBuffer {
	var b *readBuffer
	if size <= readChunkBytes {
		select {
		case b = <-p.free:
		default:
			b = &readBuffer{data: make([]byte, readChunkBytes), pool: p}
		}
	} else {
		b = &readBuffer{data: make([]byte, size), pool: p}
	}
	b.refs.Store(1)
	return b
}

func (p *bufferPool) put(b *readBuffer) {
	if len(b.data) != readChunkBytes {
		return
	}
	select {
	case p.free <- b:
	default:
	}
}
