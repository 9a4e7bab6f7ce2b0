package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run the symphony command tree as a subprocess, with the script's
// own environment. `symphony-exit N args...` runs it and fails unless the exit code is N.
func TestMain(m *testing.M) {
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
			return nil
		},
		Condition: func(cond string) (bool, error) {
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
