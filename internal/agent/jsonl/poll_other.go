//go:build !linux

package jsonl

import "io"

// inputWaiter returns nil where input cannot be awaited without reading it: the reader then
// keeps its buffer while it waits.
func inputWaiter(io.Reader) func(beforeWait func()) { return nil }
