//go:build !linux

package jsonl

// awaitExit returns at once where there is no pollable process handle: the Wait that
// follows blocks an OS thread until the child exits.
func awaitExit(int) {}
