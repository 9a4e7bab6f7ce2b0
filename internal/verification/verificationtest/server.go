// Package verificationtest builds the tiny HTTP server that tests of verification run as a
// dev server's start_cmd, so they exercise real child processes without a toolchain other
// than Go's.
package verificationtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/symphony-go/symphony/internal/testenv"
)

// serverSource listens on $SYMPHONY_VERIFICATION_PORT after -delay and answers /health with
// -status. -child spawns a sleeping child (to prove the whole group dies) and -ignore-term
// ignores SIGTERM. It writes its own and its child's pid into its working directory.
const serverSource = `package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

func main() {
	delay := flag.Duration("delay", 0, "")
	status := flag.Int("status", 200, "")
	child := flag.Bool("child", false, "")
	ignoreTerm := flag.Bool("ignore-term", false, "")
	flag.Parse()
	if *ignoreTerm {
		signal.Ignore(syscall.SIGTERM)
	}
	os.WriteFile("server.pid", []byte(strconv.Itoa(os.Getpid())), 0o644)
	if *child {
		c := exec.Command("sleep", "300")
		c.Start()
		os.WriteFile("child.pid", []byte(strconv.Itoa(c.Process.Pid)), 0o644)
	}
	time.Sleep(*delay)
	http.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(*status) })
	fmt.Println(http.ListenAndServe("127.0.0.1:"+os.Getenv("SYMPHONY_VERIFICATION_PORT"), nil))
}
`

var (
	once sync.Once
	bin  string
	err  error
)

// Server returns the path of the server binary, built on first use into a directory of its
// own; a package's TestMain calls Remove after its tests to delete it.
func Server(t testing.TB) string {
	t.Helper()
	testenv.Tool(t, "go")
	testenv.Tool(t, "sleep")
	once.Do(func() {
		dir := filepath.Join(os.TempDir(), fmt.Sprintf("symphony-devserver-%d", os.Getpid()))
		if err = os.MkdirAll(dir, 0o700); err != nil {
			return
		}
		src := filepath.Join(dir, "main.go")
		if err = os.WriteFile(src, []byte(serverSource), 0o600); err != nil {
			return
		}
		bin = filepath.Join(dir, "devserver")
		cmd := exec.Command("go", "build", "-o", bin, src)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GO111MODULE=off")
		if out, buildErr := cmd.CombinedOutput(); buildErr != nil {
			err = fmt.Errorf("building the test dev server: %v\n%s", buildErr, out)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// Remove deletes the built server, if any.
func Remove() {
	if bin != "" {
		os.RemoveAll(filepath.Dir(bin))
	}
}
