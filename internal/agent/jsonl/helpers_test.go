package jsonl

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// envChild names the scenario the test binary plays when re-executed as a child.
const envChild = "JSONL_TEST_CHILD"

func TestMain(m *testing.M) {
	if scenario := os.Getenv(envChild); scenario != "" {
		os.Exit(playChild(scenario))
	}
	os.Exit(m.Run())
}

// playChild is the child side of the process tests.
func playChild(scenario string) int {
	switch scenario {
	case "rpc-echo":
		// Answers each request with its params as the result; "fail" with an error; "ignore"
		// never; and sends a notification first.
		fmt.Println(`{"method":"hello","params":{"n":1}}`)
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			var m Message
			if json.Unmarshal(in.Bytes(), &m) != nil || m.ID == nil {
				continue
			}
			switch m.Method {
			case "fail":
				fmt.Printf(`{"id":%s,"error":{"code":-32000,"message":"no"}}`+"\n", m.ID)
			case "ignore":
			default:
				fmt.Printf(`{"id":%s,"result":%s}`+"\n", m.ID, m.Params)
			}
		}
		return 0
	case "stderr-exit-3":
		for i := range 5000 {
			fmt.Fprintf(os.Stderr, "line %d\n", i)
		}
		fmt.Fprintln(os.Stderr, "last words")
		return 3
	case "stderr-held-open":
		// A grandchild keeps stderr open after the child exits.
		cmd := exec.Command("sleep", "30")
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			return 1
		}
		fmt.Fprintln(os.Stderr, "leaving")
		return 1
	case "echo-stdin":
		// Copies its stdin to stdout, then exits 0.
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			fmt.Println(in.Text())
		}
		return 0
	case "exit-0":
		fmt.Println(`{"method":"bye"}`)
		return 0
	case "sleep-with-grandchild":
		cmd := exec.Command("sleep", "300")
		if err := cmd.Start(); err != nil {
			return 1
		}
		fmt.Printf(`{"grandchild":%d}`+"\n", cmd.Process.Pid)
		time.Sleep(300 * time.Second)
		return 0
	}
	return 2
}

// child starts the test binary as a child playing scenario, and kills its group at cleanup.
func child[T any](t *testing.T, scenario string, decode Decoder[T]) (*Process, *Stream[T]) {
	t.Helper()
	p, s, err := Start(testCommand(scenario), ProcessOptions{}, decode)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Signal(syscall.SIGKILL)
		select {
		case <-p.Exited():
		case <-time.After(10 * time.Second):
			t.Errorf("child %d did not exit", p.PID())
		}
		for _, ok := s.Next(); ok; _, ok = s.Next() {
		}
	})
	return p, s
}

func testCommand(scenario string) *exec.Cmd {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), envChild+"="+scenario)
	return cmd
}

func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// A zombie has exited; only its entry remains until it is reaped.
	for i := len(b) - 1; i > 0; i-- {
		if b[i] == ')' {
			return len(b) > i+2 && b[i+2] != 'Z'
		}
	}
	return true
}
