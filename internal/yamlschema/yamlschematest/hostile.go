// Package yamlschematest builds the hostile YAML inputs that yamlschema's limits refuse
// (deep nesting, alias bombs) and checks that refusing them stays cheap, so every loader of
// YAML can prove it goes through those limits.
package yamlschematest

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Refusing a hostile input must take less than this much time and allocation. Without the
// limits the inputs below cost from hundreds of megabytes to tens of gigabytes; the bounds
// leave room for a slow, shared CI machine.
const (
	RefuseWithin    = time.Second
	RefuseAllocUpTo = 100 << 20
)

// FlowSequences is `[[[…]]]` nested depth deep, a flow value for one line.
func FlowSequences(depth int) string {
	return strings.Repeat("[", depth) + strings.Repeat("]", depth)
}

// FlowMappings is `{a:{a:…1}}` nested depth deep, a flow value for one line.
func FlowMappings(depth int) string {
	return strings.Repeat("{a:", depth) + "1" + strings.Repeat("}", depth)
}

// BlockSequences is `- - - … x` nested depth deep on one line, a block value that must start
// on its own line.
func BlockSequences(depth int) string {
	return strings.Repeat("- ", depth) + "x"
}

// AliasBomb is the "billion laughs" as a mapping entry `key:` indented by indent spaces:
// nine anchors, each a list of nine aliases of the one before, which a decoder expands to
// 9^9 strings. The alias that crosses a budget of a few thousand nodes sits on the entry's
// fifth line below key (anchor l4).
func AliasBomb(key string, indent int) string {
	pad := strings.Repeat(" ", indent)
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s:\n%s  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n", pad, key, pad)
	for i := 1; i <= 9; i++ {
		aliases := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 9), ", ")
		fmt.Fprintf(&b, "%s  l%d: &l%d [%s]\n", pad, i, i, aliases)
	}
	return b.String()
}

// Cheap runs f, which must refuse a hostile input, and fails t when it took more than
// RefuseWithin or allocated more than RefuseAllocUpTo. Tests calling it must not run in
// parallel with others, whose allocations would count.
func Cheap(t *testing.T, f func()) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	f()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	if elapsed > RefuseWithin || alloc > RefuseAllocUpTo {
		t.Fatalf("refusing took %v and %d MB, want under %v and %d MB", elapsed, alloc>>20, RefuseWithin, RefuseAllocUpTo>>20)
	}
	t.Logf("refused in %v, %.1f MB allocated", elapsed, float64(alloc)/(1<<20))
}
