package audit

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/symphony-go/symphony/internal/secretscan"
	"github.com/symphony-go/symphony/internal/store"
)

const crashRootEnv = "SYMPHONY_AUDIT_CRASH_CHILD_ROOT"

// TestCrashChild is the process TestCrashRecovery kills: it writes runs and audit records as
// fast as it can and prints each run once the store has committed it.
func TestCrashChild(t *testing.T) {
	root := os.Getenv(crashRootEnv)
	if root == "" {
		t.Skip("runs only as TestCrashRecovery's child process")
	}
	ctx := context.Background()
	red := secretscan.New()
	st, err := store.Open(ctx, store.Options{StateRoot: root, Redactor: red})
	if err != nil {
		t.Fatal(err)
	}
	log, err := Open(ctx, Options{Dir: Dir(root), Redactor: red, Head: st, FlushInterval: 2 * time.Millisecond, MaxBatch: 8})
	if err != nil {
		t.Fatal(err)
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		run, err := st.StartRun(ctx, store.Run{RepoKey: "web", IssueID: "issue-" + strconv.Itoa(i%7), IssueIdentifier: "ENG-" + strconv.Itoa(i%7)})
		if err != nil {
			t.Fatal(err)
		}
		ev := Event{IssueID: run.IssueID, RepoKey: "web", RunID: run.ID, Type: EventRunStarted}
		if _, err := log.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
		for j := 0; j < 3; j++ {
			ev.Type, ev.Details = EventToolCall, map[string]any{"step": j, "payload": strings.Repeat("x", 200)}
			if _, err := log.Append(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.AddUsage(ctx, store.Usage{RepoKey: "web", IssueID: run.IssueID, Tokens: store.Tokens{Total: int64(i)}}); err != nil {
			t.Fatal(err)
		}
		run.Status, run.Tokens.Total, run.Error = store.StatusSuccess, int64(i), "done "+strconv.Itoa(i)
		if err := st.FinishRun(ctx, run); err != nil {
			t.Fatal(err)
		}
		ev.Type, ev.Details = EventRunFinished, map[string]any{"status": "success"}
		if _, err := log.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(out, "committed %s %d\n", run.ID, i)
		out.Flush()
	}
}

// TestCrashRecovery SIGKILLs a writer 50 times at random moments. After each kill the store
// must open with every run the child reported committed intact, and the audit chain must
// verify with at most a torn final line. A SIGKILL can tear a write: Linux copies a write into
// the page cache a page at a time and stops between pages when a fatal signal is pending, so
// a record crossing a page boundary of the file can be cut there (seen: 17 bytes of a record
// left). That is rare, so every fifth round also appends half a record, the way a power cut
// can leave the page cache; every torn line, made either way, must be moved aside by the next
// start and its repair recorded.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash loop skipped in -short mode")
	}
	const rounds = 50
	root := t.TempDir()
	ctx := context.Background()
	committed := map[string]int{}
	// torn counts the torn lines made, injected or by a kill; unrepaired is the one the
	// files still end in, if any.
	torn, injected := 0, 0
	var unrepaired *TornTail
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	for round := 0; round < rounds; round++ {
		// Even rounds may kill the child while it is still opening (and repairing); odd
		// rounds wait for its first committed run and kill it mid-write.
		afterCommit := round%2 == 1
		got := runAndKill(t, root, afterCommit, time.Duration(rng.IntN(150))*time.Millisecond)
		for id, i := range got {
			committed[id] = i
		}
		// Opened as the restarted service would, so a kill during the first migration is
		// finished here rather than refused.
		st, err := store.Open(ctx, store.Options{StateRoot: root, Redactor: secretscan.New()})
		if err != nil {
			t.Fatalf("round %d: store does not open after the kill: %v", round, err)
		}
		for id, i := range committed {
			r, err := st.Run(ctx, "web", id)
			if err != nil || r.Status != store.StatusSuccess || r.Tokens.Total != int64(i) || r.Error != "done "+strconv.Itoa(i) {
				st.Close()
				t.Fatalf("round %d: committed run %s (#%d) = %+v, %v", round, id, i, r, err)
			}
		}
		rep, err := Verify(ctx, VerifyOptions{Dir: Dir(root), Head: st})
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Intact() {
			t.Fatalf("round %d: chain broken after a crash: %s", round, rep.Break)
		}
		if rep.Torn != nil && (unrepaired == nil || *rep.Torn != *unrepaired) {
			t.Logf("round %d: the kill tore a write: %+v", round, *rep.Torn)
			torn++
		}
		unrepaired = rep.Torn
		if round%5 == 4 && unrepaired == nil {
			tearNewestFile(t, root)
			injected++
			torn++
			after, err := Verify(ctx, VerifyOptions{Dir: Dir(root)})
			if err != nil || after.Torn == nil {
				t.Fatalf("round %d: the injected torn line is not seen: %+v, %v", round, after.Torn, err)
			}
			unrepaired = after.Torn
		}
	}
	if len(committed) < rounds/2 {
		t.Fatalf("only %d runs committed over %d rounds; the kills came too early to test anything", len(committed), rounds)
	}

	// One clean start repairs whatever the last round left and settles the books.
	red := secretscan.New()
	st, err := store.Open(ctx, store.Options{StateRoot: root, Redactor: red})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log, err := Open(ctx, Options{Dir: Dir(root), Redactor: red, Head: st})
	if err != nil {
		t.Fatal(err)
	}
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(ctx, VerifyOptions{Dir: Dir(root), Head: st})
	if err != nil || !rep.Intact() || rep.Torn != nil {
		t.Fatalf("final verify: %+v %v break %s", rep, err, rep.Break)
	}
	recs, err := Query(QueryOptions{Dir: Dir(root)})
	if err != nil {
		t.Fatal(err)
	}
	finished := map[string]bool{}
	repairs := 0
	for _, r := range recs {
		switch r.EventType {
		case EventRunFinished:
			finished[r.RunID] = true
		case EventTornLineRepaired:
			repairs++
		}
	}
	if repairs != torn {
		t.Fatalf("%d torn lines (%d injected), %d repairs recorded", torn, injected, repairs)
	}
	for id := range committed {
		if !finished[id] {
			t.Fatalf("run %s was committed but its run_finished audit record is gone", id)
		}
	}
	t.Logf("%d rounds, %d runs committed, %d audit records, %d torn lines repaired (%d injected)", rounds, len(committed), len(recs), repairs, injected)
}

// runAndKill starts the child, kills its process group after delay (counted from its start,
// or from its first committed run when afterCommit) and returns the runs it reported committed.
func runAndKill(t *testing.T, root string, afterCommit bool, delay time.Duration) map[string]int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), crashRootEnv+"="+root)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	var mu sync.Mutex
	readDone := make(chan struct{})
	firstCommit := make(chan struct{})
	go func() {
		defer close(readDone)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var id string
			var i int
			if _, err := fmt.Sscanf(sc.Text(), "committed %s %d", &id, &i); err == nil {
				mu.Lock()
				if len(got) == 0 {
					close(firstCommit)
				}
				got[id] = i
				mu.Unlock()
			}
		}
	}()
	if afterCommit {
		select {
		case <-firstCommit:
		case <-readDone:
		case <-time.After(30 * time.Second):
		}
	}
	time.Sleep(delay)
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill child group: %v", err)
	}
	select {
	case <-readDone:
	case <-time.After(10 * time.Second):
		t.Fatal("child's stdout never closed after SIGKILL")
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("child ended on its own instead of by SIGKILL: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	return got
}

// tearNewestFile appends the first half of a record with no newline to the newest day file.
func tearNewestFile(t *testing.T, root string) {
	t.Helper()
	days, err := listDays(Dir(root))
	if err != nil || len(days) == 0 {
		t.Fatalf("no day file to tear: %v", err)
	}
	f, err := os.OpenFile(days[len(days)-1].Path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(tornBytes); err != nil {
		t.Fatal(err)
	}
}
