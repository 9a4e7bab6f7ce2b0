package codex

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// failureBreaker counts consecutive failures of the same command or tool call. Any success,
// or a different failure, restarts the count; reaching the threshold trips it.
type failureBreaker struct {
	threshold int
	signature string
	count     int
}

// toolSignature identifies a failing action by kind, name and a hash of its arguments
// normalised through a JSON round trip, so key order and spacing do not matter.
func toolSignature(kind, name string, arguments json.RawMessage) string {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "unknown"
	}
	canonical := []byte(arguments)
	var v any
	if err := json.Unmarshal(arguments, &v); err == nil {
		if b, err := json.Marshal(v); err == nil {
			canonical = b
		}
	}
	sum := sha256.Sum256(bytes.TrimSpace(canonical))
	return kind + "\x00" + name + "\x00" + hex.EncodeToString(sum[:])
}

// fail records a failure and returns a non-empty description once the threshold is reached.
func (b *failureBreaker) fail(signature string) string {
	if b.threshold <= 0 {
		return ""
	}
	if signature == b.signature {
		b.count++
	} else {
		b.signature, b.count = signature, 1
	}
	if b.count < b.threshold {
		return ""
	}
	kind, rest, _ := strings.Cut(signature, "\x00")
	name, _, _ := strings.Cut(rest, "\x00")
	return fmt.Sprintf("the same %s %q failed %d times in a row", kind, name, b.count)
}

func (b *failureBreaker) succeed() { b.signature, b.count = "", 0 }
