//go:build !linux

package jsonl

import (
	"io"
	"os"
)

// stdoutReader is the child's stdout pipe f itself where raw reads are not used.
func stdoutReader(f *os.File) io.Reader { return f }
