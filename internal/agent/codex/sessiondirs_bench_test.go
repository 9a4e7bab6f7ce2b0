package codex

import (
	"sync"
	"testing"
)

// BenchmarkPrivateDirs is the private directory a session start makes and its end removes:
// the session dir, its CODEX_HOME with config.toml, its TMPDIR and the owner record.
func BenchmarkPrivateDirs(b *testing.B) {
	state, ws := b.TempDir(), b.TempDir()
	auth := authLink{warnOnce: new(sync.Once)}
	for b.Loop() {
		d, err := makePrivateDirs(state, false, ws, "", "", auth, discardLogger())
		if err != nil {
			b.Fatal(err)
		}
		if err := removeSessionDir(d.root); err != nil {
			b.Fatal(err)
		}
	}
}
