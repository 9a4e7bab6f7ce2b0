package sandbox

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryRowNamesTestsThatExist keeps the matrix honest about its evidence: each test an
// attack row names as its measurement is a test function somewhere in the module.
func TestEveryRowNamesTestsThatExist(t *testing.T) {
	defined := map[string]bool{}
	decl := regexp.MustCompile(`(?m)^func (Test\w+)\(t \*testing\.T\)`)
	err := filepath.WalkDir(filepath.Join("..", ".."), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range decl.FindAllStringSubmatch(string(b), -1) {
			defined[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	named := regexp.MustCompile(`Test\w+`)
	for _, a := range Attacks {
		names := named.FindAllString(a.MeasuredBy, -1)
		if len(names) == 0 {
			t.Errorf("attack %s names no test that measures it: %q", a.ID, a.MeasuredBy)
		}
		for _, n := range names {
			if !defined[n] {
				t.Errorf("attack %s is said to be measured by %s, which does not exist", a.ID, n)
			}
		}
	}
}
