// Package gitprobe tells, from a few stat calls and without running git, that git's
// repository discovery would find no repository for a directory. A session start asks git
// about its workspace twice (its metadata dirs for the sandbox, its origin for the GitHub
// tools); for a workspace in no repository both answers are known without the two git
// processes, which at hundreds of concurrent starts cost more CPU than the rest of the start.
package gitprobe
