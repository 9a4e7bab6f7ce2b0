package reaper

import (
	"testing"
	"time"
)

// BenchmarkSupervisedStart starts and waits for a trivial agent under a supervisor: the
// per-session cost of the spawn path. cpu-ms/op is the CPU the supervisor and the agent used
// (their rusage as wait4 reports it), which on a busy machine is what delays other starts.
func BenchmarkSupervisedStart(b *testing.B) {
	var cpu time.Duration
	for b.Loop() {
		cmd, err := Command([]string{"true"})
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	b.ReportMetric(float64(cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}
