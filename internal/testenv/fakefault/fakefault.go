// Package fakefault is the fault queue the tracker fakes (gitlabtest, jiratest) share: a test
// injects faults, and each request takes the first one whose "METHOD /path" prefix matches,
// as many times as it was asked for. Each fake answers a fault in its provider's own error
// format.
package fakefault

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// hangLimit bounds a Hang fault in case the client never gives up.
const hangLimit = 30 * time.Second

// Fault makes the next Times requests whose "METHOD /path" starts with Match fail.
type Fault struct {
	Match string
	Times int
	// Status answers with this status, with Retry-After set when RetryAfter is positive.
	Status     int
	RetryAfter int
	// Malformed answers 200 with a truncated JSON body instead.
	Malformed bool
	// Hang sends no answer until the client gives up (bounded by hangLimit).
	Hang bool
}

// Queue holds the faults still to apply. Its zero value is empty and ready; it is safe for
// concurrent use.
type Queue struct {
	mu     sync.Mutex
	faults []*Fault
}

// Inject adds a fault.
func (q *Queue) Inject(f Fault) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.faults = append(q.faults, &f)
}

// Take returns the fault for r, using up one of its times, or nil.
func (q *Queue) Take(r *http.Request) *Fault {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, f := range q.faults {
		if strings.HasPrefix(r.Method+" "+r.URL.Path, f.Match) {
			taken := *f
			if f.Times--; f.Times <= 0 {
				q.faults = slices.Delete(q.faults, i, i+1)
			}
			return &taken
		}
	}
	return nil
}

// Answer writes f's answer to r: nothing until the client leaves for a Hang fault,
// malformedBody for a Malformed one, otherwise the status with Retry-After, its body written by
// writeError in the provider's format. It reports whether f was a fault at all.
func Answer(w http.ResponseWriter, r *http.Request, f *Fault, malformedBody string, writeError func(w http.ResponseWriter, status int, msg string)) bool {
	switch {
	case f == nil:
		return false
	case f.Hang:
		select {
		case <-r.Context().Done():
		case <-time.After(hangLimit):
		}
	case f.Malformed:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(malformedBody))
	default:
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		writeError(w, f.Status, http.StatusText(f.Status))
	}
	return true
}
