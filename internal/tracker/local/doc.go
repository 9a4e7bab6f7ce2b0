// Package local is the file-based tracker (issues.provider: local): a directory of Markdown
// files, one per issue, that a person edits with any editor while Symphony runs.
//
// # The index
//
// The tracker keeps an index of the files: for each, its modification time, size and inode,
// its parsed front matter, and its description when that is at most 64 KiB (a longer one is
// read from the file again whenever an issue carrying it is returned). Before each answer the
// index is brought up to date, reading again only the files that changed: while Watch runs,
// the files file system events named (and, every minute, every file whose time, size or inode
// changed, in case an event was lost); otherwise every file whose time, size or inode changed,
// or, for a question about one issue, that file and its blockers'. A file modified
// within two seconds of being read is read again when it is next checked, since a file system
// with coarse timestamps may not show a second save; while Watch runs, this holds only when an
// event other than a file renamed onto the name came, since a save in place comes as a write
// event and a rename brings a new inode. A file read again that holds the bytes it held is
// not parsed again. An issue file larger than 1 MiB is reported and skipped without being
// read. The tracker's own writes are in the index when the call that made them returns; a
// state change is recorded from the bytes written and the written file's inode, size and time,
// without reading the file back.
//
// # Issue files
//
// An issue lives in <dir>/<IDENTIFIER>.md, where IDENTIFIER is letters, digits, '.', '_' and
// '-' and starts with a letter or digit (for example LOC-1.md). The file opens with YAML front
// matter between two lines holding only "---"; everything after the closing line is the
// issue's description, kept exactly as written.
//
//	---
//	title: Add a health endpoint      # required
//	state: Todo                       # required; compared case-insensitively
//	id: LOC-1                         # optional; defaults to the identifier
//	priority: 2                       # optional integer; lower sorts first
//	labels: [backend, api]            # optional; lowercased when read
//	blocked_by: [LOC-0]               # optional identifiers of blocking issues
//	parent: LOC-9                     # optional identifier of the parent issue
//	related: [LOC-4]                  # optional identifiers of related issues
//	duplicate_of: LOC-5               # optional identifier of the issue this one duplicates
//	assignee: alice                   # optional free-form user name or id
//	branch_name: loc-1-health         # optional
//	url: https://example.com/LOC-1    # optional
//	created_at: 2026-01-02T03:04:05Z  # optional RFC 3339 time or YYYY-MM-DD date
//	---
//	The description, in Markdown.
//
// Unknown keys are errors, so a misspelt key is reported rather than ignored. A file that
// does not parse is reported with its path and line and skipped; it is never rewritten or
// deleted. The file's modification time is the updated_at.
//
// Changing an issue's state rewrites only the value on the "state:" line (which must therefore
// hold the state on one line) and leaves every other byte of the file as it was. The new file
// is written to a temporary file in the same directory and renamed over the old one, and it is
// only renamed if the file still holds what was read, so an edit a person saves at the same
// moment is re-read and kept.
//
// # Comments
//
// Comments on LOC-1 live beside it in LOC-1.comments.md, oldest first, each introduced by a
// header line and followed by its Markdown body:
//
//	<!-- symphony comment id="c1" author="symphony" created="2026-01-02T03:04:05Z" -->
//	Started work; plan below.
//
//	<!-- symphony comment id="c2" author="alice" created="2026-01-02T04:00:00Z" updated="2026-01-02T04:05:00Z" -->
//	Please also cover the error path.
//
// Header attributes are double-quoted; id, created and updated are optional when a person
// adds a comment by hand (a missing id becomes c<position>, a missing author "unknown"). One
// blank line separates a body from the next header. A body line that itself begins with
// "<!-- symphony comment" is stored with one extra leading backslash. Text before the first
// header is kept as it is.
//
// # Parents, sub-issues and relations
//
// An issue's sub-issues are the files whose parent key names it. Relations are written on one
// side and read from both: a file's blocked_by makes the named issues block it, duplicate_of
// makes the named issue duplicated by it, and related is symmetric.
//
// # Links
//
// URLs attached to LOC-1 are kept in LOC-1.links.json, a JSON array of objects with id, url,
// title (optional) and created_at, oldest first; attaching one appends to it and never touches
// the issue file. An attached file is copied into LOC-1.files/ under its own name (name-2.ext,
// name-3.ext when taken; nothing is overwritten) and listed in the links file with a file://
// URL to the copy.
//
// # Routing
//
// Repository routes select local issues by labels (all required) and assignee; the
// issue-level scope contributes labels (any one suffices) and assignee. Teams and projects do
// not exist in local files, and "me" has no account to stand for, so settings that use them
// are rejected when the tracker is built.
package local
