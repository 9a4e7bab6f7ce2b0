package githubtest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// hangLimit bounds a Hang fault in case the client never gives up.
const hangLimit = 30 * time.Second

// Fault changes how the fake answers matching requests.
type Fault struct {
	// Method and Path limit the fault to matching requests; a Path ending in "*" matches the
	// prefix. Empty matches every request.
	Method string
	Path   string
	// Times is how many matching requests the fault applies to; 0 means every one.
	Times int
	// Status answers with this status and Body (or GitHub's message for the status).
	Status int
	Body   string
	// Header values are added to the fault's answer.
	Header http.Header
	// PrimaryRateLimit answers 403 "API rate limit exceeded" with X-RateLimit-Remaining 0 and
	// X-RateLimit-Reset at ResetAt.
	PrimaryRateLimit bool
	ResetAt          time.Time
	// SecondaryRateLimit answers 403 (or Status, e.g. 429) with GitHub's secondary-limit
	// message, and Retry-After when RetryAfter is positive.
	SecondaryRateLimit bool
	RetryAfter         time.Duration
	// Hang holds the request until the client gives up (bounded by hangLimit).
	Hang bool
	// MalformedJSON answers 200 with a body that is not JSON.
	MalformedJSON bool
}

// Inject adds a fault; faults are consulted in the order they were injected.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

func (f *Fault) matches(r *http.Request) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
		return false
	}
	if prefix, ok := strings.CutSuffix(f.Path, "*"); ok {
		return strings.HasPrefix(r.URL.Path, prefix)
	}
	return f.Path == "" || f.Path == r.URL.Path
}

// takeFault returns the first matching fault and uses up one of its Times.
func (s *Server) takeFault(r *http.Request) *Fault {
	for i, f := range s.faults {
		if !f.matches(r) {
			continue
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return f
	}
	return nil
}

// applyFault writes the fault's answer and reports whether it did.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	for k, vs := range f.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	switch {
	case f.Hang:
		select {
		case <-r.Context().Done():
		case <-s.done:
		case <-time.After(hangLimit):
		}
		return true
	case f.PrimaryRateLimit:
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Used", "5000")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(f.ResetAt.Unix(), 10))
		w.Header().Set("X-RateLimit-Resource", "core")
		writeMessage(w, http.StatusForbidden, "API rate limit exceeded for user ID 1.")
		return true
	case f.SecondaryRateLimit:
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(f.RetryAfter/time.Second)))
		}
		status := f.Status
		if status == 0 {
			status = http.StatusForbidden
		}
		writeMessage(w, status, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.")
		return true
	case f.MalformedJSON:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"number": 1, "title": `))
		return true
	case f.Status != 0 && f.Body != "":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
		return true
	case f.Status != 0:
		writeMessage(w, f.Status, http.StatusText(f.Status))
		return true
	}
	return false
}

// rateLimit is a primary request budget that refills at reset.
type rateLimit struct {
	limit, remaining int
	reset            time.Time
}

// SetRateLimit gives the fake a primary budget of limit requests that refills at reset (by
// Options.Now) and hourly after that. Every answer then carries X-RateLimit-* headers, and
// requests beyond the budget are refused with 403 "API rate limit exceeded", as GitHub does.
func (s *Server) SetRateLimit(limit int, reset time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimit = &rateLimit{limit: limit, remaining: limit, reset: reset}
}

// applyRateLimit spends one request of the budget, writes the headers, and reports whether
// the request must be refused.
func (s *Server) applyRateLimit(h http.Header) bool {
	rl := s.rateLimit
	if rl == nil {
		return false
	}
	if rl.remaining <= 0 && !s.opts.Now().Before(rl.reset) {
		rl.remaining = rl.limit
		rl.reset = rl.reset.Add(time.Hour)
	}
	limited := rl.remaining <= 0
	if !limited {
		rl.remaining--
	}
	h.Set("X-RateLimit-Limit", strconv.Itoa(rl.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(rl.remaining))
	h.Set("X-RateLimit-Used", strconv.Itoa(rl.limit-rl.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(rl.reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
	return limited
}
