package sshworker

import (
	"errors"
	"fmt"
	"strings"
)

// ssh hands the remote side one string, which the remote user's login shell runs as `sh -c`.
// Every argument is therefore wrapped in single quotes, inside which a POSIX shell gives no
// character a meaning; a single quote itself closes the quote, is emitted escaped, and reopens it.
// This assumes a POSIX login shell on the worker host (sh, bash, dash, zsh), as the reference does.

// Quote returns s as one POSIX shell word that the shell reads back as exactly s.
func Quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// CommandLine joins argv into the command line ssh sends to the remote shell, quoting every
// argument. A NUL byte cannot be carried in a shell word at all, so it is refused.
func CommandLine(argv []string) (string, error) {
	if len(argv) == 0 {
		return "", errors.New("remote command is empty")
	}
	words := make([]string, len(argv))
	for i, a := range argv {
		if strings.IndexByte(a, 0) >= 0 {
			return "", fmt.Errorf("remote command argument %d contains a NUL byte", i)
		}
		words[i] = Quote(a)
	}
	return strings.Join(words, " "), nil
}
