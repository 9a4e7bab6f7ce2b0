package jsonl

import (
	"bytes"
	"sync"
)

// lineSlabBytes is the size of the blocks short lines are copied into.
const lineSlabBytes = 16 << 10

// lineSlab copies lines that fit the reader's buffer into shared blocks, one allocation for
// the many lines of a block instead of one per line. Each line is a capped slice of its
// block that nothing else writes while the line is the consumer's, so it is as much the
// consumer's own as a copy. Without a recycler a block lives as long as a line in it is
// kept; with one, a block the reader has moved on from is written again once the consumer
// has released all its lines.
type lineSlab struct {
	block []byte
	// lastItem is the index of the last item that holds a line of block: the index the
	// next pushed item gets when a line is copied (only lines that are pushed are copied).
	lastItem int64
	recycler *blockRecycler
}

// copy copies chunk, which is to be the line of item number item, into the slab; a chunk
// over a quarter of a block gets its own allocation, as it would waste most of a block.
func (s *lineSlab) copy(chunk []byte, item int64) []byte {
	if len(chunk) > lineSlabBytes/4 {
		return bytes.Clone(chunk)
	}
	if cap(s.block)-len(s.block) < len(chunk) {
		s.block = s.nextBlock()
	}
	s.lastItem = item
	start := len(s.block)
	s.block = append(s.block, chunk...)
	return s.block[start:len(s.block):len(s.block)]
}

// idle retires the block being filled, when there is a recycler, so a reader waiting for
// input holds no block: the next line starts one from releasedLineBlocks. Without a recycler
// the block stays, as its lines keep it alive anyway.
func (s *lineSlab) idle() {
	if s.recycler != nil && s.block != nil {
		s.recycler.retire(s.block, s.lastItem)
		s.block = nil
	}
}

// nextBlock hands the full block to the recycler, if any, and returns an empty one.
func (s *lineSlab) nextBlock() []byte {
	if s.recycler == nil {
		return make([]byte, 0, lineSlabBytes)
	}
	if s.block != nil {
		s.recycler.retire(s.block, s.lastItem)
	}
	if block, ok := releasedLineBlocks.Get().(*[lineSlabBytes]byte); ok {
		return block[:0]
	}
	return make([]byte, 0, lineSlabBytes)
}

// releasedLineBlocks holds the blocks whose lines were all released, for the reader of any
// stream that recycles. A released block kept by its own stream would be held by every idle
// session; here it costs a session nothing, and the pool is not a cache that grows: the
// garbage collector empties it of what went unused between two collections.
var releasedLineBlocks sync.Pool

// blockRecycler gives the blocks of a stream whose consumer promised
// ReadOptions.LinesValidUntilNextTake back to releasedLineBlocks once their lines are all
// released. The reader retires each block it moves on from; the queue reports each release as
// the consumer comes back for more. The retired blocks still in use are bounded by the queue's
// budget: each holds three quarters of a block of lines or more, and only the lines queued,
// those in the consumer's hands and the one the reader is pushing are unreleased.
type blockRecycler struct {
	mu sync.Mutex
	// released is how many items the consumer has released: every item with a lower index.
	released int64
	// retired are the blocks the reader moved on from whose lines are not all released,
	// oldest first.
	retired []retiredBlock
}

type retiredBlock struct {
	block    []byte
	lastItem int64
}

func (r *blockRecycler) retire(block []byte, lastItem int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.retired = append(r.retired, retiredBlock{block: block, lastItem: lastItem})
	r.collect()
}

// release records that the consumer holds no line of an item below released. A nil recycler
// (a consumer that did not opt in) ignores it.
func (r *blockRecycler) release(released int64) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.released = released
	r.collect()
}

// collect puts the retired blocks whose lines are all released back in releasedLineBlocks.
func (r *blockRecycler) collect() {
	n := 0
	for n < len(r.retired) && r.retired[n].lastItem < r.released {
		releasedLineBlocks.Put((*[lineSlabBytes]byte)(r.retired[n].block[:lineSlabBytes]))
		n++
	}
	if n > 0 {
		kept := copy(r.retired, r.retired[n:])
		clear(r.retired[kept:])
		r.retired = r.retired[:kept]
	}
}
