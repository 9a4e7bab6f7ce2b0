package verification

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"

	"github.com/symphony-go/symphony/internal/agent/reaper"
	"github.com/symphony-go/symphony/internal/store"
)

// CodeExhausted is the error code when every port in the range is held or busy.
const CodeExhausted = "verification_ports_exhausted"

// PortStore is the durable side of the pool; *store.Store implements it.
type PortStore interface {
	AllocatePort(ctx context.Context, a store.PortAllocation) error
	SetPortServer(ctx context.Context, runID string, pid int, startTime int64) error
	ReleasePort(ctx context.Context, runID string) error
	PortAllocations(ctx context.Context) ([]store.PortAllocation, error)
}

var _ PortStore = (*store.Store)(nil)

// Pool allocates ports from an inclusive range. It is safe for concurrent use; allocation is
// serialized so two runs never probe and claim the same port.
type Pool struct {
	store       PortStore
	first, last int
	// busy reports whether another program listens on a port; tests replace it.
	busy func(port int) bool
	mu   sync.Mutex
}

// NewPool builds a pool over [first, last].
func NewPool(st PortStore, first, last int) (*Pool, error) {
	if first < 1 || last > 65535 || first > last {
		return nil, fmt.Errorf("verification.port_allocation.range [%d, %d] is not an inclusive range of ports 1-65535", first, last)
	}
	return &Pool{store: st, first: first, last: last, busy: listening}, nil
}

// listening reports whether the port cannot be bound on the loopback interface, i.e. a
// program on this machine already uses it.
func listening(port int) bool {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return true
	}
	ln.Close()
	return false
}

// Allocate gives a the lowest port in the range that no run holds and no program listens on.
// When there is none the error has code verification_ports_exhausted: the run should wait.
func (p *Pool) Allocate(ctx context.Context, a store.PortAllocation) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	held, err := p.store.PortAllocations(ctx)
	if err != nil {
		return 0, err
	}
	taken := map[int]bool{}
	for _, h := range held {
		if h.RunID == a.RunID {
			return h.Port, nil
		}
		taken[h.Port] = true
	}
	busy := 0
	for port := p.first; port <= p.last; port++ {
		if taken[port] {
			continue
		}
		if p.busy(port) {
			busy++
			continue
		}
		a.Port = port
		if err := p.store.AllocatePort(ctx, a); err != nil {
			if errors.Is(err, store.ErrPortTaken) {
				continue
			}
			return 0, err
		}
		return port, nil
	}
	return 0, &Error{Code: CodeExhausted, Detail: fmt.Sprintf("verification port allocation exhausted: all %d ports of [%d, %d] are taken (%d by runs, %d by other programs); the issue waits for one to free",
		p.last-p.first+1, p.first, p.last, len(taken), busy)}
}

// SetServer records the dev server that uses runID's port, so a restart can tell whether the
// allocation is still in use.
func (p *Pool) SetServer(ctx context.Context, runID string, pid int) error {
	id, err := reaper.Identify(pid)
	if err != nil {
		return err
	}
	return p.store.SetPortServer(ctx, runID, pid, int64(id.StartTime))
}

// Release frees runID's port.
func (p *Pool) Release(ctx context.Context, runID string) error {
	return p.store.ReleasePort(ctx, runID)
}

// Reconcile runs at start-up: it keeps the allocations whose dev server is still alive (same
// pid and start time) and releases the others. It returns the kept ones.
func (p *Pool) Reconcile(ctx context.Context) ([]store.PortAllocation, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	held, err := p.store.PortAllocations(ctx)
	if err != nil {
		return nil, err
	}
	var kept []store.PortAllocation
	for _, h := range held {
		id := reaper.Identity{PID: h.ServerPID, StartTime: uint64(h.ServerStartTime)}
		if h.ServerPID > 0 && id.Alive() {
			kept = append(kept, h)
			continue
		}
		if err := p.store.ReleasePort(ctx, h.RunID); err != nil {
			return nil, err
		}
	}
	return kept, nil
}

// Exhausted reports whether err says no verification port was free.
func Exhausted(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == CodeExhausted
}
