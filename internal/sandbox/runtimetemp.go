package sandbox

// A sandbox runtime (srt around Codex, the copy of it inside Claude Code) keeps files of its
// own in its TMPDIR, outside the sandbox it builds: the Unix sockets of its proxy bridge and
// the empty directories it mounts over denied paths that do not exist yet. srt removes them
// only when it exits normally (SIGKILL leaves them, and its proxy socket is often left even
// then); Claude Code never removes its empty directories at all, about ten per sandboxed
// command. Given the operator's /tmp they pile up by the thousand, so every session gives its
// runtime a private TMPDIR that Symphony removes (package agent makes them).

// MaxRuntimeTempDirLen is the longest TMPDIR a sandbox runtime works with: it binds its proxy
// bridge sockets there as claude-socks-<16 hex digits>.sock, and a Unix socket path holds at
// most 107 bytes on Linux. Past it the sandboxed commands silently lose their network.
const MaxRuntimeTempDirLen = 107 - len("/claude-socks-0123456789abcdef.sock")
