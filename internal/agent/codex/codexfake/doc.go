// Package codexfake is a protocol-faithful fake `codex app-server` for fault injection and
// load: crashes, hangs, malformed and oversize frames, notification floods and paced streams,
// unexpected server requests, recorded usage-limit frames. A test binary or symphony-bench
// becomes the fake by calling MaybeRunFake first thing; the package imports only the standard
// library, so a process started as the fake costs little more than a Go program's start, as an
// agent launched by the hundred must.
package codexfake
