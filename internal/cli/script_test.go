package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/symphony-go/symphony/internal/agent/codex/codexfake"
	"github.com/symphony-go/symphony/internal/doctor"
)

// TestMain lets testscript run the symphony command tree as a subprocess, with the script's
// own environment. `symphony-exit N args...` runs it and fails unless the exit code is N.
//
// With codextest's scenario variable set, the test binary is the fake app-server instead.
func TestMain(m *testing.M) {
	codexfake.MaybeRunFake()
	testscript.Main(m, map[string]func(){
		"symphony": func() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) },
		"symphony-exit": func() {
			want, err := strconv.Atoi(os.Args[1])
			if err != nil {
				fmt.Fprintln(os.Stderr, "symphony-exit: first argument must be the expected exit code")
				os.Exit(100)
			}
			if got := Main(os.Args[2:], os.Stdout, os.Stderr); got != want {
				fmt.Fprintf(os.Stderr, "symphony-exit: exit code %d, want %d\n", got, want)
				os.Exit(101)
			}
			os.Exit(0)
		},
	})
}

func TestScripts(t *testing.T) {
	ref, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "reference", "automattic-symphony"))
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("REFDIR", ref)
			env.Setenv("CI", os.Getenv("CI"))
			return setupToolDirs(env)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"doctor-json-matches": doctorJSONMatches,
		},
		Condition: func(cond string) (bool, error) {
			if cond == "git" {
				_, err := exec.LookPath("git")
				return err == nil, nil
			}
			if cond == "reference" {
				_, err := os.Stat(filepath.Join(ref, "symphony.yml"))
				if err != nil && os.Getenv("CI") == "true" {
					return false, fmt.Errorf("reference files are missing in CI: %w", err)
				}
				return err == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

// setupToolDirs lets a script choose exactly which programs are on PATH: $TESTBIN holds the
// symphony commands and $SYSBIN links to the real git and bwrap, so `env
// PATH=$WORK/bin:$TESTBIN:$SYSBIN` is a machine with those tools and whatever the script puts
// in $WORK/bin (a fake codex) — and no codex installed anywhere else.
func setupToolDirs(env *testscript.Env) error {
	self, err := exec.LookPath("symphony")
	if err != nil {
		return err
	}
	env.Setenv("TESTBIN", filepath.Dir(self))
	sys := filepath.Join(env.WorkDir, ".sysbin")
	if err := os.Mkdir(sys, 0o755); err != nil {
		return err
	}
	for _, tool := range []string{"git", "bwrap"} {
		if p, err := exec.LookPath(tool); err == nil {
			if err := os.Symlink(p, filepath.Join(sys, tool)); err != nil {
				return err
			}
		}
	}
	env.Setenv("SYSBIN", sys)
	return nil
}

// doctorJSONMatches checks that a `doctor --json` output file parses as an array of
// {check, status, detail, fix} and holds the same results as a text output file, line for
// line. The disk line's free-space figure may move between the two runs, so for that check
// only its status is compared.
func doctorJSONMatches(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: doctor-json-matches TEXTFILE JSONFILE")
	}
	var results []doctor.Result
	dec := json.NewDecoder(strings.NewReader(ts.ReadFile(args[1])))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&results); err != nil {
		ts.Fatalf("%s: %v", args[1], err)
	}
	lines := strings.Split(strings.TrimSuffix(ts.ReadFile(args[0]), "\n"), "\n")
	if len(lines) != len(results) || len(results) == 0 {
		ts.Fatalf("%d text lines, %d JSON results", len(lines), len(results))
	}
	for i, r := range results {
		if r.Check == "disk" {
			if !strings.HasPrefix(lines[i], fmt.Sprintf("%-4s  disk ", r.Status)) {
				ts.Fatalf("line %d: text %q, JSON status %s", i+1, lines[i], r.Status)
			}
			continue
		}
		if got := r.Line(); got != lines[i] {
			ts.Fatalf("line %d differs:\n text: %s\n JSON: %s", i+1, lines[i], got)
		}
	}
}
