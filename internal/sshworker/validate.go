package sshworker

import (
	"fmt"
	"strings"
)

// Values that reach a remote command line are quoted anyway; these checks are the second wall.
// Each accepts only characters no POSIX shell treats specially, so a value that passes means the
// same thing quoted or not, and a quoting bug elsewhere still cannot turn it into shell syntax.

// Identifiers and branch names stay short; paths may be as deep as a real directory tree.
const (
	maxValueLen = 255
	maxPathLen  = 1024
)

// ValidateIssueIdentifier accepts tracker identifiers such as ABC-123 or local-7.
func ValidateIssueIdentifier(id string) error {
	if err := checkWord("issue identifier", id, "._-", maxValueLen); err != nil {
		return err
	}
	if !isAlnum(rune(id[0])) {
		return fmt.Errorf("issue identifier %q must start with a letter or digit", id)
	}
	return nil
}

// ValidateBranchName accepts git branch names built from safe characters and refuses the forms
// git itself rejects or that could be read as an option or a path escape.
func ValidateBranchName(name string) error {
	if err := checkWord("branch name", name, "._-/+", maxValueLen); err != nil {
		return err
	}
	bad := func(why string) error { return fmt.Errorf("branch name %q %s", name, why) }
	switch {
	case name[0] == '-':
		return bad("must not start with -")
	case name[0] == '/' || strings.HasSuffix(name, "/"):
		return bad("must not start or end with /")
	case strings.Contains(name, ".."):
		return bad("must not contain ..")
	case strings.Contains(name, "//"):
		return bad("must not contain //")
	case strings.HasSuffix(name, ".") || strings.HasSuffix(name, ".lock"):
		return bad("must not end with . or .lock")
	}
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") {
			return bad("must not have a component starting with .")
		}
	}
	return nil
}

// ValidateRemotePath accepts an absolute path on a worker host: no `..` or `.` components, no
// empty components, and no `~`, which would expand on the remote host to somewhere unchecked.
func ValidateRemotePath(p string) error {
	if err := checkWord("remote path", p, "._-/+@%=:,", maxPathLen); err != nil {
		return err
	}
	bad := func(why string) error { return fmt.Errorf("remote path %q %s", p, why) }
	if p[0] != '/' {
		return bad("must be absolute")
	}
	if p == "/" {
		return nil
	}
	for _, part := range strings.Split(p[1:], "/") {
		switch part {
		case "":
			return bad("must not contain empty components (// or a trailing /)")
		case ".", "..":
			return bad("must not contain . or .. components")
		}
	}
	return nil
}

// RemotePathUnder reports whether candidate lies strictly below root, both already accepted by
// ValidateRemotePath; it is the lexical half of the containment check, before the physical
// `pwd -P` check on the host.
func RemotePathUnder(root, candidate string) bool {
	if root == "/" {
		return candidate != "/"
	}
	return strings.HasPrefix(candidate, root+"/")
}

func checkWord(what, v, extra string, maxLen int) error {
	if v == "" {
		return fmt.Errorf("%s is empty", what)
	}
	if len(v) > maxLen {
		return fmt.Errorf("%s is longer than %d bytes", what, maxLen)
	}
	for _, r := range v {
		if !isAlnum(r) && !strings.ContainsRune(extra, r) {
			return fmt.Errorf("%s %q contains %q; only letters, digits and %s are allowed", what, v, r, extra)
		}
	}
	return nil
}
