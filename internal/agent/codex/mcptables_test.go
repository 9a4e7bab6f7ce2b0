package codex

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The MCP server tables, which hold the session token, go last in config.toml so their
// headers capture no top-level key, and only the session's owner can read the file.
func TestMCPServersTOMLIsWrittenLastInAPrivateConfig(t *testing.T) {
	tables := "[mcp_servers.symphony]\ncommand = \"/bin/symphony\"\n\n[mcp_servers.symphony.env]\nSYMPHONY_MCP_SESSION_TOKEN = \"tok\"\n"
	d, err := makePrivateDirs(t.TempDir(), false, t.TempDir(), "model = \"m\"\n", tables, authLink{warnOnce: new(sync.Once)}, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(d.home, "config.toml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(data), "\n"+tables) || !strings.HasPrefix(string(data), "model = \"m\"\n") {
		t.Fatalf("config.toml does not end with the MCP tables:\n%s", data)
	}
	if strings.Index(string(data), "check_for_update_on_startup") > strings.Index(string(data), "[mcp_servers") {
		t.Fatalf("a top-level key follows the MCP tables:\n%s", data)
	}
	for path, want := range map[string]os.FileMode{file: 0o600, d.home: 0o700, d.root: 0o700} {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s mode %o, want %o", path, got, want)
		}
	}
}
