package workspace

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxIdentifierBytes bounds an issue identifier so its key (identifier plus hash suffix) stays
// well under the 255-byte file name limit of common filesystems.
const MaxIdentifierBytes = 200

// hashHexLen is long enough (64 bits) that nobody can craft an identifier whose hashed key
// lands on another identifier's key.
const hashHexLen = 16

// Key turns an issue identifier into its workspace directory name. Characters outside
// [A-Za-z0-9._-] become "_". Whenever that changed anything, or the result would be ambiguous
// (empty, "." or "..", or already ending like a hashed key), "-" and a hash of the original
// identifier are appended, so distinct identifiers such as "A/B" and "A_B" never share a
// directory.
func Key(identifier string) string {
	var b strings.Builder
	changed := false
	for _, r := range identifier {
		if allowedKeyRune(r) {
			b.WriteRune(r)
			continue
		}
		b.WriteByte('_')
		changed = true
	}
	s := b.String()
	if !changed && s != "" && s != "." && s != ".." && !looksHashed(s) {
		return s
	}
	if s == "" {
		s = "_"
	}
	sum := sha256.Sum256([]byte(identifier))
	return s + "-" + hex.EncodeToString(sum[:])[:hashHexLen]
}

// RepoDirName is the plain sanitization the reference uses for repo keys; New rejects keys that
// collide after it, so no hash is needed and operators get readable directory names. Remote
// workspaces on SSH worker hosts use the same layout.
func RepoDirName(key string) string {
	var b strings.Builder
	for _, r := range key {
		if allowedKeyRune(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

func allowedKeyRune(r rune) bool {
	return r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		r == '.' || r == '_' || r == '-')
}

func looksHashed(s string) bool {
	if len(s) <= hashHexLen+1 || s[len(s)-hashHexLen-1] != '-' {
		return false
	}
	for _, c := range s[len(s)-hashHexLen:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// pathSeparators are characters that act as, or are routinely rendered as, path separators.
// Identifiers using them to spell "..", or starting with one, are refused outright rather than
// merely sanitized, because they only ever come from hostile or broken input.
var pathSeparators = []rune{'/', '\\', '\u2215', '\u2044', '\uFF0F', '\u29F8', '\u29F9', '\uFF3C', '\uFE68', '\u2216'}

func isPathSeparator(r rune) bool {
	for _, s := range pathSeparators {
		if r == s {
			return true
		}
	}
	return false
}

// ValidateIdentifier refuses identifiers that no tracker produces but an attacker might: empty,
// oversized, control characters (NUL included), invalid UTF-8, absolute paths and ".." traversal,
// also when spelled with look-alike Unicode slashes.
func ValidateIdentifier(identifier string) error {
	bad := func(format string, args ...any) error {
		return newError(CodeInvalidIdentifier, nil, "issue identifier "+fmt.Sprintf(format, args...))
	}
	switch {
	case identifier == "":
		return bad("is empty")
	case len(identifier) > MaxIdentifierBytes:
		return bad("is %d bytes long; the limit is %d", len(identifier), MaxIdentifierBytes)
	case !utf8.ValidString(identifier):
		return bad("%q is not valid UTF-8", identifier)
	}
	for i, r := range identifier {
		if unicode.IsControl(r) {
			return bad("%q contains control character %U at byte %d", identifier, r, i)
		}
	}
	first, _ := utf8.DecodeRuneInString(identifier)
	if isPathSeparator(first) {
		return bad("%q starts with a path separator", identifier)
	}
	for _, segment := range strings.FieldsFunc(identifier, isPathSeparator) {
		if segment == "." || segment == ".." {
			return bad("%q contains a %q path segment", identifier, segment)
		}
	}
	return nil
}
