package bench

import (
	"bytes"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The two binaries take turns, the baseline first in odd rounds, and each round's runs land
// with their own binary, even when both are the same file.
func TestCompareTakesTurns(t *testing.T) {
	for _, names := range [][2]string{{"old", "new"}, {"same", "same"}} {
		var order []string
		n := 0
		base, head, err := alternate(3, names[0], names[1], func(binary string) ([]Result, error) {
			order = append(order, binary)
			n++
			return []Result{{Agents: n}}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{names[0], names[1], names[1], names[0], names[0], names[1]}
		if strings.Join(order, " ") != strings.Join(want, " ") {
			t.Errorf("ran %v, want %v", order, want)
		}
		// Runs were numbered in the order made: the baseline's are 1, 4, 5.
		if got := []int{base[0][0].Agents, base[1][0].Agents, base[2][0].Agents}; !slices.Equal(got, []int{1, 4, 5}) {
			t.Errorf("baseline rounds hold runs %v, want 1 4 5", got)
		}
		if got := []int{head[0][0].Agents, head[1][0].Agents, head[2][0].Agents}; !slices.Equal(got, []int{2, 3, 6}) {
			t.Errorf("build rounds hold runs %v, want 2 3 6", got)
		}
	}
	failed := errors.New("no service")
	if _, _, err := alternate(2, "old", "new", func(string) ([]Result, error) { return nil, failed }); !errors.Is(err, failed) ||
		!strings.Contains(err.Error(), "round 1, old") {
		t.Fatalf("a failed run's error = %v, want it named by round and binary", err)
	}
}

// The comparison reports each figure's median over the rounds, for both binaries, and this
// build's over the baseline's.
func TestComparisonReportsMediansAndRatios(t *testing.T) {
	run := func(after50, after200 time.Duration, cpu200 time.Duration, rss50, rss200 int64) []Result {
		return []Result{
			{Agents: 50, AllStarted: after50 + time.Second, FirstDispatch: time.Second, CPU: time.Second, Ingested: 50 << 20, PeakRSS: rss50 << 20},
			{Agents: 200, AllStarted: after200 + time.Second, FirstDispatch: time.Second, CPU: cpu200, Ingested: 200 << 20, PeakRSS: rss200 << 20},
		}
	}
	base := Rounds{
		run(300*time.Millisecond, 1200*time.Millisecond, 4000*time.Millisecond, 40, 100),
		run(280*time.Millisecond, 9000*time.Millisecond, 3000*time.Millisecond, 40, 115),
		run(320*time.Millisecond, 1000*time.Millisecond, 3600*time.Millisecond, 40, 130),
	}
	head := Rounds{
		run(250*time.Millisecond, 800*time.Millisecond, 2000*time.Millisecond, 40, 70),
		run(200*time.Millisecond, 900*time.Millisecond, 3000*time.Millisecond, 40, 85),
		run(220*time.Millisecond, 850*time.Millisecond, 2500*time.Millisecond, 40, 80),
	}
	var out bytes.Buffer
	ReportComparison(&out, base, head)
	text := out.String()
	if !strings.HasPrefix(text, "medians of 3 rounds") {
		t.Errorf("comparison does not say how many rounds:\n%s", text)
	}
	// Columns: agents, figure, baseline, this build, ratio.
	rows := map[string][]string{}
	for _, line := range strings.Split(text, "\n") {
		if cells := columnGap.Split(strings.TrimSpace(line), -1); len(cells) == 5 {
			rows[cells[0]+" "+cells[1]] = cells[2:]
		}
	}
	for row, want := range map[string][]string{
		// The baseline's 200-agent start: median of 1200, 9000 and 1000 is 1200; this
		// build's, of 800, 900 and 850, is 850.
		"200 all started after the 1st dispatch": {"1200.0 ms", "850.0 ms", "0.71×"},
		"200 service CPU":                        {"3600.0 ms", "2500.0 ms", "0.69×"},
		"200 CPU/MiB":                            {"18.0 ms", "12.5 ms", "0.69×"},
		"50 all started after the 1st dispatch":  {"300.0 ms", "220.0 ms", "0.73×"},
		// (100-40)/150 = 0.40, 0.50, 0.60 MiB a session against 0.20, 0.30, 0.27.
		"50 → 200 RSS per extra running session": {"0.50 MiB", "0.27 MiB", "0.53×"},
		// 1200/300, 9000/280, 1000/320 against 800/250, 900/200, 850/220.
		"200 / 50 all started after the 1st dispatch": {"4.00×", "3.86×", "0.97×"},
	} {
		if !slices.Equal(rows[row], want) {
			t.Errorf("row %q = %q, want %q\n%s", row, rows[row], want, text)
		}
	}
}

// columnGap separates the columns of a tabwriter table, whose cells hold single spaces.
var columnGap = regexp.MustCompile(` {2,}`)

func TestMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo(t *testing.T) {
	if got := median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Fatalf("median of 1..4 = %v, want 2.5", got)
	}
	if got := median(nil); got != 0 {
		t.Fatalf("median of nothing = %v, want 0", got)
	}
}
