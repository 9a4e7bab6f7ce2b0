package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"testing"
)

func TestDefaultStateRootIsPerConfig(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_STATE_HOME", xdg)
	cfg := filepath.Join(t.TempDir(), "my project", "symphony.yml")
	sum := sha256.Sum256([]byte(cfg))
	want := filepath.Join(xdg, "symphony", "my-project-"+hex.EncodeToString(sum[:])[:12])
	if got := defaultStateRoot(cfg); got != want {
		t.Fatalf("defaultStateRoot = %s, want %s", got, want)
	}
	other := filepath.Join(filepath.Dir(filepath.Dir(cfg)), "other", "symphony.yml")
	if defaultStateRoot(other) == want {
		t.Fatal("two configs share a default state root")
	}
}
