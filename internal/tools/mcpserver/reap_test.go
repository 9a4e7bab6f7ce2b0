package mcpserver

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestReapStaleRemovesDeadDirsAndKeepsLiveOnes(t *testing.T) {
	root := shortTempDir(t)
	live := startServer(t, &fakeRegistry{}, Options{Root: root})
	liveDir := filepath.Dir(live.Endpoint().Address)

	mkdir := func(name string) string {
		dir := filepath.Join(root, name)
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	past := time.Now().Add(-time.Minute)
	// A socket file that nothing listens on: a server that died without Close when its
	// directory is old, one between bind and listen when it is young.
	refusing := func(name string) string {
		dir := mkdir(name)
		ln, err := net.Listen("unix", filepath.Join(dir, socketName))
		if err != nil {
			t.Fatal(err)
		}
		ln.(*net.UnixListener).SetUnlinkOnClose(false)
		ln.Close()
		return dir
	}
	dead := refusing(dirPrefix + "dead")
	if err := os.Chtimes(dead, past, past); err != nil {
		t.Fatal(err)
	}
	starting := refusing(dirPrefix + "starting")

	oldEmpty := mkdir(dirPrefix + "oldempty")
	if err := os.Chtimes(oldEmpty, past, past); err != nil {
		t.Fatal(err)
	}
	youngEmpty := mkdir(dirPrefix + "young")
	notSocket := mkdir(dirPrefix + "file")
	os.WriteFile(filepath.Join(notSocket, socketName), []byte("x"), 0o600)
	stray := filepath.Join(root, dirPrefix+"stray")
	os.WriteFile(stray, nil, 0o600)
	unrelated := mkdir("other-dir")

	removed, err := ReapStale(root)
	if err != nil {
		t.Fatalf("ReapStale: %v", err)
	}
	slices.Sort(removed)
	want := []string{dead, notSocket, oldEmpty, stray}
	slices.Sort(want)
	if !slices.Equal(removed, want) {
		t.Errorf("removed %v\nwant %v", removed, want)
	}
	for _, keep := range []string{liveDir, youngEmpty, starting, unrelated} {
		if _, err := os.Stat(keep); err != nil {
			t.Errorf("%s was removed: %v", keep, err)
		}
	}
	for _, gone := range want {
		if _, err := os.Lstat(gone); !os.IsNotExist(err) {
			t.Errorf("%s still exists", gone)
		}
	}
	if r := dial(t, live).call(1, "ping", ""); r.Error != nil {
		t.Errorf("live server broken by the reaper's probe: %+v", r)
	}
}
