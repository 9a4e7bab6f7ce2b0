package bench

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// Report prints the runs side by side, the per-session memory between the first and the last
// count, the ratio of the last run's figures to the first's, and any run whose service did
// not shut down cleanly.
func Report(w io.Writer, results []Result, idlePerSecond float64) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "agents\tall started\tof which after 1st dispatch\tall done\tCPU\tCPU/MiB\tCPU/MiB once all up\tCPU/agent until all up\tchildren CPU/agent\tpeak RSS\taudit bytes\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Agents, ms(r.AllStarted), optionalMS(r.StartedAfterDispatch()),
			ms(r.AllDone), ms(r.CPU), ms(r.CPUPerMiB()), optionalMS(r.CPUPerMiBAfterStart()), optionalMS(r.CPUPerAgentUntilUp()),
			optionalMS(r.ChildrenCPUPerAgent()), mib(r.PeakRSS), mib(r.AuditBytes))
	}
	tw.Flush()
	if len(results) >= 2 {
		first, last := results[0], results[len(results)-1]
		if extra := last.Agents - first.Agents; extra > 0 {
			fmt.Fprintf(w, "RSS per extra running session (%d → %d): %s\n", first.Agents, last.Agents,
				mib((last.PeakRSS-first.PeakRSS)/int64(extra)))
		}
		fmt.Fprintf(w, "ratio %d/%d: all started %.2f× (after the 1st dispatch %.2f×), CPU/MiB %.2f×, peak RSS %.2f×\n",
			last.Agents, first.Agents, ratio(last.AllStarted, first.AllStarted),
			ratio(last.StartedAfterDispatch(), first.StartedAfterDispatch()), ratio(last.CPUPerMiB(), first.CPUPerMiB()),
			float64(last.PeakRSS)/float64(max(first.PeakRSS, 1)))
	}
	for _, r := range results {
		if r.StopFailure != "" {
			fmt.Fprintf(w, "%d agents: measured, but %s\n", r.Agents, r.StopFailure)
		}
	}
	if idlePerSecond >= 0 {
		fmt.Fprintf(w, "idle wake-ups (context switches of the service's threads): %.1f/s\n", idlePerSecond)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }

// optionalMS is ms, or "?" for an unknown (zero) duration.
func optionalMS(d time.Duration) string {
	if d <= 0 {
		return "?"
	}
	return ms(d)
}

func mib(b int64) string { return fmt.Sprintf("%.2f MiB", float64(b)/(1<<20)) }

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
