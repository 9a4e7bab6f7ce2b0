package bench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"
)

// Rounds are the runs of one binary, one []Result (a run per count) a round.
type Rounds [][]Result

// Compare measures the baseline binary and o.Symphony in turn, rounds times, each round
// running every count for both, the baseline first in odd rounds and second in even ones. A
// shared machine's speed drifts by more than most changes being measured, and measuring the
// two side by side, in alternating order, exposes both to the same drift.
func Compare(ctx context.Context, o Options, baseline string, rounds int) (base, head Rounds, err error) {
	return alternate(rounds, baseline, o.Symphony, func(binary string) ([]Result, error) {
		run := o
		run.Symphony = binary
		return Run(ctx, run)
	})
}

// alternate runs measure on the baseline and on this build, rounds times, in the order
// Compare describes.
func alternate(rounds int, baseline, build string, measure func(binary string) ([]Result, error)) (base, head Rounds, err error) {
	for round := range rounds {
		order := []string{baseline, build}
		if round%2 == 1 {
			slices.Reverse(order)
		}
		for i, binary := range order {
			results, err := measure(binary)
			if err != nil {
				return base, head, fmt.Errorf("round %d, %s: %w", round+1, binary, err)
			}
			if (i == 0) == (round%2 == 0) {
				base = append(base, results)
			} else {
				head = append(head, results)
			}
		}
	}
	return base, head, nil
}

// figure is one compared measure of a run.
type figure struct {
	name string
	of   func(Result) float64
	unit string
}

var comparedFigures = []figure{
	{"all started after the 1st dispatch", func(r Result) float64 { return milliseconds(r.StartedAfterDispatch()) }, "ms"},
	{"service CPU", func(r Result) float64 { return milliseconds(r.CPU) }, "ms"},
	{"CPU/MiB", func(r Result) float64 { return milliseconds(r.CPUPerMiB()) }, "ms"},
	{"CPU/MiB once all up", func(r Result) float64 { return milliseconds(r.CPUPerMiBAfterStart()) }, "ms"},
	{"peak RSS", func(r Result) float64 { return float64(r.PeakRSS) / (1 << 20) }, "MiB"},
}

// ReportComparison prints, for each count, the median of each figure over the rounds for the
// baseline and for this build, and their ratio; then, with two counts or more, the medians of
// each round's RSS per extra running session and of its all-started ratio between the last
// count and the first. Medians are taken figure by figure, so a row need not be one run's.
func ReportComparison(w io.Writer, base, head Rounds) {
	fmt.Fprintf(w, "medians of %d rounds, the two binaries run in turn:\n", len(head))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "agents\tfigure\tbaseline\tthis build\tratio\t")
	if len(base) == 0 || len(head) == 0 {
		tw.Flush()
		return
	}
	for i, first := range base[0] {
		for _, f := range comparedFigures {
			b := medianOver(base, func(run []Result) float64 { return f.of(run[i]) })
			h := medianOver(head, func(run []Result) float64 { return f.of(run[i]) })
			fmt.Fprintf(tw, "%d\t%s\t%.1f %s\t%.1f %s\t%s\t\n", first.Agents, f.name, b, f.unit, h, f.unit, ratioText(h, b))
		}
	}
	if n := len(base[0]); n >= 2 {
		first, last := base[0][0].Agents, base[0][n-1].Agents
		perSession := func(run []Result) float64 {
			return float64(run[n-1].PeakRSS-run[0].PeakRSS) / float64(max(last-first, 1)) / (1 << 20)
		}
		startRatio := func(run []Result) float64 {
			return ratio(run[n-1].StartedAfterDispatch(), run[0].StartedAfterDispatch())
		}
		b, h := medianOver(base, perSession), medianOver(head, perSession)
		fmt.Fprintf(tw, "%d → %d\tRSS per extra running session\t%.2f MiB\t%.2f MiB\t%s\t\n", first, last, b, h, ratioText(h, b))
		b, h = medianOver(base, startRatio), medianOver(head, startRatio)
		fmt.Fprintf(tw, "%d / %d\tall started after the 1st dispatch\t%.2f×\t%.2f×\t%s\t\n", last, first, b, h, ratioText(h, b))
	}
	tw.Flush()
}

func milliseconds(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// medianOver is the median of of(run) over the rounds' runs.
func medianOver(rounds Rounds, of func([]Result) float64) float64 {
	values := make([]float64, 0, len(rounds))
	for _, run := range rounds {
		values = append(values, of(run))
	}
	return median(values)
}

func median(values []float64) float64 {
	if len(values) == 0 {
		return 0
	}
	sorted := slices.Sorted(slices.Values(values))
	mid := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return sorted[mid]
	}
	return (sorted[mid-1] + sorted[mid]) / 2
}

// ratioText is this build's figure over the baseline's, or "?" when the baseline's is 0.
func ratioText(head, base float64) string {
	if base == 0 {
		return "?"
	}
	return fmt.Sprintf("%.2f×", head/base)
}
