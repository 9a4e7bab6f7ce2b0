package codex

import (
	"fmt"
	"unicode/utf8"

	"github.com/symphony-go/symphony/internal/secretscan"
)

// faultHeadBytes bounds the quoted start of the first bad frame in an error message.
const faultHeadBytes = 80

// faultScanBytes is how much of a bad frame is redacted before it is cut to faultHeadBytes:
// cutting first could split a secret into a prefix no pattern recognises.
const faultScanBytes = 1024

// frameFaults counts the stdout lines that were not frames, so that an agent writing garbage
// ends in an error that says so instead of a bare timeout. It is part of the owner's state:
// the reader goroutine sends it oversize lines as they start (an endless line never ends),
// the owner notes malformed ones itself.
type frameFaults struct {
	secrets *secretscan.Scanner

	malformed int
	oversize  int
	firstHead string
}

func (f *frameFaults) noteMalformed(line []byte) { f.note(line, false) }
func (f *frameFaults) noteOversize(head []byte)  { f.note(head, true) }

func (f *frameFaults) note(line []byte, oversize bool) {
	if oversize {
		f.oversize++
	} else {
		f.malformed++
	}
	if f.malformed+f.oversize == 1 {
		f.firstHead = f.head(line)
	}
}

// head is the redacted start of line, at most faultHeadBytes, cut on a rune boundary.
func (f *frameFaults) head(line []byte) string {
	text := f.secrets.Redact(string(line[:min(len(line), faultScanBytes)]))
	if len(text) <= faultHeadBytes {
		return text
	}
	cut := faultHeadBytes
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut] + "…"
}

// describe names the bad frames seen so far, or returns "" when there were none.
func (f *frameFaults) describe() string {
	if f.malformed+f.oversize == 0 {
		return ""
	}
	return fmt.Sprintf("codex wrote %d malformed and %d oversized (over %d bytes) stdout lines that are not JSON-RPC frames; the first began %q",
		f.malformed, f.oversize, maxLineBytes, f.firstHead)
}

// explain appends the bad frames seen, if any, to message.
func (f *frameFaults) explain(message string) string {
	if d := f.describe(); d != "" {
		return message + "; " + d
	}
	return message
}
