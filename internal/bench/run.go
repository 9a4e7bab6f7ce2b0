package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Options says what to measure.
type Options struct {
	Symphony      string        // the symphony binary under test
	Agent         string        // a binary that serves the fake app-server (codexfake.MaybeRunFake)
	Counts        []int         // agent counts, one run each, in order
	BytesPerAgent int64         // what each agent streams in its turn
	Stream        time.Duration // how long each agent takes to stream it
	PollInterval  time.Duration
	Idle          time.Duration // how long the idle service is watched for wake-ups
	Timeout       time.Duration // bound on one run
	WorkDir       string        // where installations are written; a temporary directory when empty
	Log           io.Writer     // the services' stderr on failure
}

// Result is one run's figures, all of the symphony process alone.
type Result struct {
	Agents     int
	AllStarted time.Duration // from the service's start until every agent process was up
	// FirstDispatch is from the service's start until it dispatched its first issue, read
	// from its log; 0 when the log did not say. AllStarted minus it is the time the agents
	// took to start once the first poll had answered.
	FirstDispatch time.Duration
	AllDone       time.Duration // until every agent had streamed its turn and the audit log settled
	CPU           time.Duration // the service's user+system CPU until then
	// CPUAllStarted is the service's CPU when every agent was seen up, and
	// IngestedAllStarted what the agents had streamed by then, estimated from each one's
	// start and the even pace of its stream. What the service spent after that moment, on
	// what was streamed after it, is its cost per MiB once start-up is over.
	CPUAllStarted      time.Duration
	IngestedAllStarted int64
	PeakRSS            int64 // VmHWM
	// ChildrenCPU is what the service's children used: each agent's supervisor and the agent
	// (the fake app-server) below it, start, stream and exit, plus the service's own
	// shutdown, which the split cannot tell apart. It shows how much of a start is the
	// service's and how much the processes it starts cost the machine.
	ChildrenCPU time.Duration
	AuditBytes  int64
	Ingested    int64 // bytes the agents streamed
	// StopFailure says how the service failed to shut down after it was measured; the
	// figures stand, but the run is not clean.
	StopFailure string
}

// StartedAfterDispatch is how long the agents took to start from the first dispatch; 0 when
// the dispatch time is unknown.
func (r Result) StartedAfterDispatch() time.Duration {
	if r.FirstDispatch <= 0 {
		return 0
	}
	return r.AllStarted - r.FirstDispatch
}

// CPUPerMiB is the service's CPU time per MiB its agents streamed.
func (r Result) CPUPerMiB() time.Duration {
	if r.Ingested == 0 {
		return 0
	}
	return time.Duration(float64(r.CPU) / (float64(r.Ingested) / (1 << 20)))
}

// CPUPerMiBAfterStart is the service's CPU per MiB streamed after every agent was up (the
// end of each turn and of each session included); 0 when nothing was streamed after that.
func (r Result) CPUPerMiBAfterStart() time.Duration {
	streamed := r.Ingested - r.IngestedAllStarted
	if streamed <= 0 || r.CPU < r.CPUAllStarted {
		return 0
	}
	return time.Duration(float64(r.CPU-r.CPUAllStarted) / (float64(streamed) / (1 << 20)))
}

// CPUPerAgentUntilUp is the service's CPU until every agent was up, per agent: its own
// start-up and each agent's start, and the streaming of the agents already up meanwhile, so
// an upper bound on what a start costs.
func (r Result) CPUPerAgentUntilUp() time.Duration {
	if r.Agents == 0 {
		return 0
	}
	return r.CPUAllStarted / time.Duration(r.Agents)
}

// ChildrenCPUPerAgent is ChildrenCPU per agent; 0 when it is unknown.
func (r Result) ChildrenCPUPerAgent() time.Duration {
	if r.Agents == 0 {
		return 0
	}
	return r.ChildrenCPU / time.Duration(r.Agents)
}

// Run measures one service per count.
func Run(ctx context.Context, o Options) ([]Result, error) {
	var out []Result
	for _, n := range o.Counts {
		r, err := runOne(ctx, o, n)
		if err != nil {
			return out, fmt.Errorf("%d agents: %w", n, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// service is a running symphony process in its own process group.
type service struct {
	cmd     *exec.Cmd
	stderr  *bytes.Buffer
	start   time.Time
	exited  chan struct{} // closed when the process has been waited for
	waitErr error
}

func startService(ctx context.Context, o Options, in *installation) (*service, error) {
	cmd := exec.CommandContext(ctx, o.Symphony, "--config", in.config)
	cmd.Dir, cmd.Env = in.dir, in.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	s := &service{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stdout, cmd.Stderr = io.Discard, s.stderr
	s.start = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s.exited = make(chan struct{})
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	return s, nil
}

// stop asks the service to shut down, then kills whatever is left of its process group.
func (s *service) stop() error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		return s.waitErr
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.exited
		return errors.New("the service did not stop within 30s of SIGTERM")
	}
}

func runOne(ctx context.Context, o Options, n int) (Result, error) {
	dir, err := os.MkdirTemp(o.WorkDir, fmt.Sprintf("bench-%d-", n))
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(dir)
	in, err := install(dir, o.Agent, n, o)
	if err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	s, err := startService(ctx, o, in)
	if err != nil {
		return Result{}, err
	}
	r, err := measure(ctx, s, in, n, o)
	self, selfErr := cpuTime(s.cmd.Process.Pid)
	if stopErr := s.stop(); err == nil && stopErr != nil && ctx.Err() == nil {
		var exit *exec.ExitError
		if !errors.As(stopErr, &exit) || exit.ExitCode() != 0 {
			r.StopFailure = "the service ended badly: " + stopErr.Error()
		}
	}
	// The service has exited, so its stderr is complete and no longer written.
	if at, ok := firstDispatch(s.stderr.String()); ok {
		r.FirstDispatch = at.Sub(s.start)
	}
	if (err != nil || r.StopFailure != "") && o.Log != nil {
		fmt.Fprintf(o.Log, "--- symphony stderr (%d agents) ---\n%s\n", n, tail(s.stderr.String(), 40))
	}
	r.Ingested = int64(n) * o.BytesPerAgent
	// The kernel counts a waited-for child's reaped descendants with it, so once the service
	// has exited its usage covers every supervisor and agent.
	if state := s.cmd.ProcessState; state != nil && selfErr == nil {
		r.ChildrenCPU = max(0, state.UserTime()+state.SystemTime()-self)
	}
	return r, err
}

// measure waits for every agent to start and for the service to have read every agent's
// turn, then for the audit log to settle, and reads the service's figures.
func measure(ctx context.Context, s *service, in *installation, n int, o Options) (Result, error) {
	r := Result{Agents: n}
	pid := s.cmd.Process.Pid
	for {
		m := milestones(in.milestones)
		starts, dones := len(m.starts), m.dones
		if r.AllStarted == 0 && starts >= n {
			now := time.Now()
			cpu, err := cpuTime(pid)
			if err != nil {
				return r, err
			}
			r.AllStarted, r.CPUAllStarted = slices.MaxFunc(m.starts, time.Time.Compare).Sub(s.start), cpu
			r.IngestedAllStarted = streamedBy(now, m.starts, o.BytesPerAgent, o.Stream)
		}
		if dones >= n {
			break
		}
		if err := s.wait(ctx, 20*time.Millisecond); err != nil {
			return r, fmt.Errorf("%d of %d agents started, %d done: %w", starts, n, dones, err)
		}
	}
	// The audit trail of the last events may still be on its way to disk; it counts.
	size := auditBytes(in.state)
	for stable := 0; stable < 5; {
		if err := s.wait(ctx, 100*time.Millisecond); err != nil {
			return r, err
		}
		next := auditBytes(in.state)
		if next == size {
			stable++
		} else {
			stable, size = 0, next
		}
	}
	r.AllDone = time.Since(s.start)
	r.AuditBytes = size
	var err error
	if r.CPU, err = cpuTime(pid); err != nil {
		return r, err
	}
	r.PeakRSS, err = statusBytes(pid, "VmHWM")
	return r, err
}

// agentMilestones is what the agents wrote to the milestones file: when each one started,
// and how many had finished their turn.
type agentMilestones struct {
	starts []time.Time
	dones  int
}

func milestones(path string) agentMilestones {
	var m agentMilestones
	f, err := os.Open(path)
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var what string
		var nanos int64
		if _, err := fmt.Sscanf(sc.Text(), "%s %d", &what, &nanos); err != nil {
			continue
		}
		switch what {
		case "start":
			m.starts = append(m.starts, time.Unix(0, nanos))
		case "done":
			m.dones++
		}
	}
	return m
}

// streamedBy estimates what agents started at starts had streamed by at, each streaming
// perAgent bytes at an even pace over stream from its start.
func streamedBy(at time.Time, starts []time.Time, perAgent int64, stream time.Duration) int64 {
	var total float64
	for _, start := range starts {
		switch since := at.Sub(start); {
		case since <= 0:
		case stream <= 0 || since >= stream:
			total += float64(perAgent)
		default:
			total += float64(perAgent) * float64(since) / float64(stream)
		}
	}
	return int64(total)
}

// Idle starts a service with nothing to do and counts its threads' wake-ups per second over
// the idle window, after a second for start-up.
func Idle(ctx context.Context, o Options) (float64, error) {
	dir, err := os.MkdirTemp(o.WorkDir, "bench-idle-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	// An idle service still polls its tracker; at the default interval that is one poll in
	// thirty seconds, not the benchmark's one a second.
	o.PollInterval = 30 * time.Second
	in, err := install(dir, o.Agent, 0, o)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	s, err := startService(ctx, o, in)
	if err != nil {
		return 0, err
	}
	defer s.stop()
	if err := s.wait(ctx, time.Second); err != nil {
		return 0, err
	}
	before, err := contextSwitches(s.cmd.Process.Pid)
	if err != nil {
		return 0, err
	}
	if err := s.wait(ctx, o.Idle); err != nil {
		return 0, err
	}
	after, err := contextSwitches(s.cmd.Process.Pid)
	if err != nil {
		return 0, fmt.Errorf("%w\n%s", err, tail(s.stderr.String(), 20))
	}
	return float64(after-before) / o.Idle.Seconds(), nil
}

// wait sleeps for d unless the run times out or the service ends first.
func (s *service) wait(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-s.exited:
		return fmt.Errorf("the service exited early: %v", s.waitErr)
	case <-time.After(d):
		return nil
	}
}

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}
