//go:build !linux

package jsonl

import "io"

// pollInput reads r as it reads itself, and cannot await its input without reading it: the
// reader then keeps its buffer while it waits.
func pollInput(r io.Reader) (io.Reader, func(beforeWait func())) { return r, nil }
